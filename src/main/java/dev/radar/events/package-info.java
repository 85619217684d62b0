/**
 * Event contract: Avro records generated from schemas/ and the serdes and keys that carry them over Kafka.
 */
package dev.radar.events;
