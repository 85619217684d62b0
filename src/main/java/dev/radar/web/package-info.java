/**
 * The web page and REST API: live ability curves, radar chart, per-task table and alerts from the aggregator,
 * and an HTTP way for training jobs to publish checkpoint events.
 */
package dev.radar.web;
