package dev.radar.scoring.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.util.Pair;
import ai.djl.ndarray.NDList;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.checkpoint.CheckpointException;
import dev.radar.checkpoint.HfCheckpoint;
import dev.radar.checkpoint.SafetensorsFile;
import dev.radar.scoring.ModelConfig;
import dev.radar.scoring.ModelLoadException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Puts a raw checkpoint's weights into an architecture package's loaded modules: for every TorchScript parameter
 * the package's {@code weights} section names the safetensors key it comes from (tied weights already resolved by
 * the export); the tensor is memory-mapped, converted to the package dtype and copied in place into the module's own
 * parameter tensor (on its device). Buffers the checkpoint does not hold (rotary tables) keep the traced
 * values, which depend only on the matched config. A missing key, a shape mismatch or a parameter the package does
 * not account for is a {@link ModelLoadException} naming it: a model with some weights left from the trace
 * source would score silently wrong.
 */
final class CheckpointWeights {

    private CheckpointWeights() {
    }

    /** The {@code weights} section of {@code packageDir}'s radar-model.json. */
    static JsonNode section(Path packageDir) {
        Path file = packageDir.resolve(ModelConfig.FILE);
        try {
            JsonNode w = new ObjectMapper().readTree(file.toFile()).path("weights");
            if (!w.isObject()) {
                throw new ModelLoadException(file + " has no \"weights\" section: not an architecture package "
                        + "(models/export_hf.py --architecture)");
            }
            return w;
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Replaces every parameter of {@code module} (vision or language) from {@code checkpoint}. */
    static int replace(ZooModel<NDList, NDList> module, String moduleName, JsonNode weights, HfCheckpoint checkpoint) {
        JsonNode mapped = weights.path(moduleName).path("parameters");
        Set<String> kept = new HashSet<>();
        weights.path(moduleName).path("kept").forEach(k -> kept.add(k.asText()));
        Set<String> seen = new HashSet<>();
        int replaced = 0;
        try (NDManager scratch = module.getNDManager().newSubManager()) {
            for (Pair<String, Parameter> p : module.getBlock().getDirectParameters()) {
                String name = p.getKey();
                seen.add(name);
                JsonNode entry = mapped.get(name);
                if (entry == null) {
                    if (kept.contains(name)) {
                        continue;
                    }
                    throw new ModelLoadException(moduleName + ".pt parameter '" + name + "' has no checkpoint key in "
                            + "the architecture package's weights section (re-export it with --architecture)");
                }
                copy(scratch, p.getValue().getArray(), entry.path("key").asText(), moduleName + ".pt " + name,
                        checkpoint);
                replaced++;
            }
        }
        for (var it = mapped.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!seen.contains(name)) {
                throw new ModelLoadException("the architecture package maps '" + name + "', which " + moduleName
                        + ".pt does not have (package and modules out of step)");
            }
        }
        return replaced;
    }

    private static void copy(NDManager scratch, NDArray target, String key, String what, HfCheckpoint checkpoint) {
        SafetensorsFile file = checkpoint.tensors().get(key);
        if (file == null) {
            throw new ModelLoadException(checkpoint.dir() + " has no tensor '" + key + "' (needed for " + what + ")");
        }
        SafetensorsFile.Entry e = file.entries().get(key);
        Shape shape = new Shape(e.shape());
        if (!shape.equals(target.getShape())) {
            throw new ModelLoadException(checkpoint.dir() + ": tensor '" + key + "' has shape "
                    + Arrays.toString(e.shape()) + ", " + what + " needs " + target.getShape());
        }
        ByteBuffer bytes;
        DataType type;
        try {
            bytes = file.map(key);
            type = switch (file.dtype(e)) {
                case F32 -> DataType.FLOAT32;
                case F16 -> DataType.FLOAT16;
                case BF16 -> DataType.BFLOAT16;
            };
        } catch (CheckpointException ex) {
            throw new ModelLoadException(ex.reason() + ": " + ex.getMessage(), ex);
        }
        try (NDManager m = scratch.newSubManager()) {
            NDArray value = m.create(bytes, shape, type).toType(target.getDataType(), false)
                    .toDevice(target.getDevice(), false);
            // index_put_ into the module's own tensor: autograd allows it only off the graph, and libtorch only on
            // tensors not loaded in inference mode (ScoringModel loads replaceable modules with trainParam).
            target.setRequiresGradient(false);
            target.set(new NDIndex("..."), value);
        }
    }
}
