package dev.radar.scoring.djl;

import ai.djl.Device;
import dev.radar.checkpoint.ArchitecturePackages;
import dev.radar.scoring.ModelLoadException;
import dev.radar.scoring.ScoringConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scorer's start-up check (real PyTorch engine) and the scoring.device names it and every load accept. */
class ScoringRuntimeCheckTest {

    private static ScoringConfig on(String device, ArchitecturePackages architectures) {
        return new ScoringConfig(device, "auto", ScoringConfig.Strategy.PACKED, 8192, 16, 1, architectures);
    }

    @Test
    void gpuColonNIsTheDocumentedFormAndMeansDjlsGpuN() {
        assertEquals(Device.gpu(1), ScoringModel.device("gpu:1"));
        assertEquals(Device.gpu(1), ScoringModel.device("gpu1"));
        assertEquals(Device.cpu(), ScoringModel.device("cpu"));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ScoringModel.device("tpu:0"));
        assertTrue(e.getMessage().contains("unknown scoring.device 'tpu:0' (cpu, gpu or gpu:N)"), e.getMessage());
    }

    @Test
    void theCpuWithNoArchitecturePackagesPasses() {
        assertDoesNotThrow(() -> ScoringEngine.checkRuntime(on("cpu", ArchitecturePackages.none())));
    }

    @Test
    void aDeviceThatIsNotThereFailsWithItsName() {
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> ScoringEngine.checkRuntime(on("gpu:7", ArchitecturePackages.none())));
        assertTrue(e.getMessage().startsWith("scoring.device 'gpu:7' cannot be used: "), e.getMessage());
        assertTrue(e.getMessage().length() < 300, "one readable line: " + e.getMessage());
    }

    @Test
    void aMissingArchitecturesFolderFailsWithItsPath(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-folder");
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> ScoringEngine.checkRuntime(on("cpu", new ArchitecturePackages(Optional.of(missing)))));
        assertEquals("scoring.architectures " + missing + " is not a readable folder", e.getMessage());
    }
}
