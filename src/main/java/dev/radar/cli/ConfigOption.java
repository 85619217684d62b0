package dev.radar.cli;

import dev.radar.config.RadarProperties;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Mixin giving every command {@code --config FILE} and repeated {@code -D key=value} overrides. */
public final class ConfigOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Properties or YAML configuration file. Environment variables RADAR_FOO_BAR override key foo.bar; "
                    + "keys kafka.* pass to every Kafka client (e.g. kafka.security.protocol=SASL_SSL).")
    Path file;

    @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Override one configuration key (repeatable), e.g. -D kafka.bootstrap.servers=host:9092.")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** File, then environment, then -D overrides, then {@code explicit} (command options that were given). */
    public RadarProperties load(Map<String, String> explicit) {
        return RadarProperties.load(file).with(overrides).with(explicit);
    }

    public RadarProperties load() {
        return load(Map.of());
    }
}
