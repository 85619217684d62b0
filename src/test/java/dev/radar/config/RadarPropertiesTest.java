package dev.radar.config;

import dev.radar.RadarException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RadarPropertiesTest {

    @Test
    void yamlFileThenEnvironmentThenOverrides(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("radar.yaml");
        Files.writeString(yaml, """
                kafka:
                  bootstrap.servers: broker:9092
                  security.protocol: SASL_SSL
                  sasl.mechanism: PLAIN
                scorer:
                  batch: 8
                """);
        RadarProperties p = RadarProperties.load(yaml, Map.of("RADAR_SCORER_BATCH", "16", "HOME", "/root"))
                .with(Map.of("kafka.bootstrap.servers", "override:9093"));
        assertEquals(16, p.getInt("scorer.batch", 1));
        Properties kafka = p.kafkaClientProperties();
        assertEquals("override:9093", kafka.getProperty("bootstrap.servers"));
        assertEquals("SASL_SSL", kafka.getProperty("security.protocol"), "security settings pass through");
        assertEquals("PLAIN", kafka.getProperty("sasl.mechanism"));
        assertTrue(p.asMap().keySet().stream().noneMatch(k -> k.contains("home")), "only RADAR_ variables are read");
    }

    @Test
    void propertiesFileAndTypedErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("radar.properties");
        Files.writeString(file, "planner.shards=abc\nflag=maybe\n");
        RadarProperties p = RadarProperties.load(file, Map.of());
        RadarException e = assertThrows(RadarException.class, () -> p.getInt("planner.shards", 4));
        assertTrue(e.getMessage().contains("planner.shards"));
        assertThrows(RadarException.class, () -> p.getBoolean("flag", false));
        RadarException missing = assertThrows(RadarException.class, () -> p.require("web.token"));
        assertTrue(missing.getMessage().contains("RADAR_WEB_TOKEN"), missing.getMessage());
        assertThrows(RadarException.class, () -> RadarProperties.load(dir.resolve("nope.yaml"), Map.of()));
    }
}
