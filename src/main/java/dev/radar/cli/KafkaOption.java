package dev.radar.cli;

import dev.radar.config.RadarProperties;
import dev.radar.kafka.KafkaSettings;
import picocli.CommandLine.Option;

/** Mixin giving Kafka-facing commands {@code -b HOST:PORT}, a shortcut for {@code -D kafka.bootstrap.servers=...}. */
public final class KafkaOption {

    @Option(names = {"-b", "--bootstrap"}, paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (default: kafka.bootstrap.servers from config, else localhost:9092).")
    String bootstrap;

    /** {@code props} with the bootstrap servers set when the option was given. */
    RadarProperties applyTo(RadarProperties props) {
        return bootstrap == null ? props : props.with(KafkaSettings.BOOTSTRAP, bootstrap);
    }
}
