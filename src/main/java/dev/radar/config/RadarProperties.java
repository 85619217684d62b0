package dev.radar.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.radar.RadarException;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Flat configuration for every RADAR component, layered: built-in defaults &lt; a properties or YAML file
 * &lt; environment variables &lt; explicit overrides (command-line options).
 *
 * <p>Environment variables {@code RADAR_FOO_BAR} set key {@code foo.bar}. Keys under {@code kafka.} are passed
 * unchanged (prefix stripped) to every Kafka client, so any client setting, SASL and TLS included, can be set,
 * e.g. {@code kafka.security.protocol=SASL_SSL} or {@code RADAR_KAFKA_SASL_MECHANISM=PLAIN}.
 * Each component reads its own keys through its {@code Config} class, which documents keys and defaults.
 */
public final class RadarProperties {

    public static final String ENV_PREFIX = "RADAR_";
    public static final String KAFKA_PREFIX = "kafka.";

    private final Map<String, String> values;

    private RadarProperties(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public static RadarProperties empty() {
        return new RadarProperties(Map.of());
    }

    public static RadarProperties of(Map<String, String> values) {
        return new RadarProperties(values);
    }

    /** Loads {@code file} (may be null), then applies {@code env} ({@code RADAR_*}) on top. */
    public static RadarProperties load(Path file, Map<String, String> env) {
        Map<String, String> merged = new TreeMap<>();
        if (file != null) {
            merged.putAll(readFile(file));
        }
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                merged.put(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return new RadarProperties(merged);
    }

    /** Loads {@code file} (may be null) with the process environment on top. */
    public static RadarProperties load(Path file) {
        return load(file, System.getenv());
    }

    /** Returns a copy with {@code overrides} applied last (null values are ignored). */
    public RadarProperties with(Map<String, String> overrides) {
        Map<String, String> merged = new TreeMap<>(values);
        overrides.forEach((k, v) -> {
            if (v != null) {
                merged.put(k, v);
            }
        });
        return new RadarProperties(merged);
    }

    public RadarProperties with(String key, String value) {
        return with(Collections.singletonMap(key, value));
    }

    public String get(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    public String require(String key) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            throw new RadarException("missing configuration key '" + key + "' (set it in the config file or as "
                    + ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_') + ")");
        }
        return v;
    }

    public int getInt(String key, int defaultValue) {
        return parse(key, defaultValue, Integer::parseInt);
    }

    public long getLong(String key, long defaultValue) {
        return parse(key, defaultValue, Long::parseLong);
    }

    public double getDouble(String key, double defaultValue) {
        return parse(key, defaultValue, Double::parseDouble);
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new RadarException("configuration key '" + key + "' must be true or false, was '" + v + "'");
    }

    /** All Kafka client settings ({@code kafka.*}, prefix stripped), for every producer, consumer, admin and Streams app. */
    public Properties kafkaClientProperties() {
        Properties p = new Properties();
        values.forEach((k, v) -> {
            if (k.startsWith(KAFKA_PREFIX)) {
                p.put(k.substring(KAFKA_PREFIX.length()), v);
            }
        });
        return p;
    }

    public Map<String, String> asMap() {
        return values;
    }

    private <T> T parse(String key, T defaultValue, java.util.function.Function<String, T> parser) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            return defaultValue;
        }
        try {
            return parser.apply(v.trim());
        } catch (NumberFormatException e) {
            throw new RadarException("configuration key '" + key + "' is not a number: '" + v + "'", e);
        }
    }

    private static Map<String, String> readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new RadarException("configuration file not found: " + file);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            Map<String, String> out = new TreeMap<>();
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
                if (root != null) {
                    flatten("", root, out);
                }
            } else {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(file)) {
                    p.load(r);
                }
                p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k).trim()));
            }
            return out;
        } catch (IOException e) {
            throw new RadarException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (node.isArray()) {
            StringBuilder sb = new StringBuilder();
            node.forEach(n -> sb.append(sb.length() == 0 ? "" : ",").append(n.asText()));
            out.put(prefix, sb.toString());
        } else if (!node.isNull()) {
            out.put(prefix, node.asText());
        }
    }
}
