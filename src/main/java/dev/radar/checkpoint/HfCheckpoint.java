package dev.radar.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Hugging Face checkpoint folder as {@code save_pretrained} / the Trainer writes it: {@code config.json} and
 * either {@code model.safetensors} or {@code model-0000k-of-0000n.safetensors} with
 * {@code model.safetensors.index.json}. Opening checks it is complete: config.json parses and names a model_type,
 * every shard the index lists exists, every shard's header is readable and the file holds all the bytes the header
 * promises, and every tensor the index names is in its shard. Nothing is loaded.
 *
 * @param dir       the folder
 * @param config    config.json
 * @param modelType config.json's model_type
 * @param tensors   every tensor key and the shard that holds it
 */
public record HfCheckpoint(Path dir, JsonNode config, String modelType, Map<String, SafetensorsFile> tensors) {

    public static final String CONFIG_FILE = "config.json";
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    /** Whether {@code dir} looks like a Hugging Face checkpoint (it has a config.json). */
    public static boolean looksLikeOne(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG_FILE));
    }

    /** Reads config.json only: what the family check needs before the weights are looked at. */
    public static JsonNode readConfig(Path dir) {
        Path file = dir.resolve(CONFIG_FILE);
        try {
            JsonNode n = new ObjectMapper().readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new CheckpointException(CheckpointValidator.INCOMPLETE_CHECKPOINT, file + " is not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new CheckpointException(CheckpointValidator.INCOMPLETE_CHECKPOINT, file + " does not parse ("
                    + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
    }

    /** Opens and checks the folder; a {@link CheckpointException} says what is wrong. */
    public static HfCheckpoint open(Path dir) {
        JsonNode config = readConfig(dir);
        String modelType = config.path("model_type").asText("");
        Map<String, SafetensorsFile> tensors = new LinkedHashMap<>();
        Path index = dir.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            JsonNode weightMap;
            try {
                weightMap = new ObjectMapper().readTree(index.toFile()).path("weight_map");
            } catch (IOException e) {
                throw new CheckpointException(CheckpointValidator.INCOMPLETE_CHECKPOINT, index + " does not parse", e);
            }
            if (!weightMap.isObject() || weightMap.isEmpty()) {
                throw new CheckpointException(CheckpointValidator.INCOMPLETE_CHECKPOINT, index + " has no weight_map");
            }
            Map<String, SafetensorsFile> shards = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String shardName = f.getValue().asText();
                SafetensorsFile shard = shards.computeIfAbsent(shardName, n -> openShard(dir, index, n));
                if (!shard.entries().containsKey(f.getKey())) {
                    throw new CheckpointException(CheckpointValidator.INCOMPLETE_CHECKPOINT, index + " puts tensor '"
                            + f.getKey() + "' in " + shardName + ", which does not hold it");
                }
                tensors.put(f.getKey(), shard);
            }
        } else if (Files.isRegularFile(dir.resolve(SINGLE_FILE))) {
            SafetensorsFile single = SafetensorsFile.open(dir.resolve(SINGLE_FILE));
            single.entries().keySet().forEach(k -> tensors.put(k, single));
        } else {
            throw new CheckpointException(CheckpointValidator.INCOMPLETE_CHECKPOINT, dir + " has config.json but neither "
                    + SINGLE_FILE + " nor " + INDEX_FILE + " (not saved with safetensors, or not written yet)");
        }
        return new HfCheckpoint(dir, config, modelType, tensors);
    }

    private static SafetensorsFile openShard(Path dir, Path index, String name) {
        Path shard = dir.resolve(name).normalize();
        if (!shard.getParent().equals(dir.normalize())) {
            throw new CheckpointException(CheckpointValidator.INCOMPLETE_CHECKPOINT, index + " names shard '" + name
                    + "' outside the checkpoint folder");
        }
        if (!Files.isRegularFile(shard)) {
            throw new CheckpointException(CheckpointValidator.INCOMPLETE_CHECKPOINT, index + " lists shard " + name
                    + ", which is missing (still being written?)");
        }
        return SafetensorsFile.open(shard);
    }
}
