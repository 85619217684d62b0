/**
 * Layered configuration (defaults, file, RADAR_* environment, command-line overrides) read by each component's Config class.
 */
package dev.radar.config;
