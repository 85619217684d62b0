/**
 * Kafka plumbing: typed topic declarations, client settings with security pass-through, topic creation, dead letters, and the embedded KRaft broker.
 */
package dev.radar.kafka;
