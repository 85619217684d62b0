package dev.radar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.RadarException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Imports MathVista (testmini-like JSON: a list of items, or an object keyed by pid, each with pid, question,
 * choices, answer, and an image path relative to the JSON file or a base64 {@code decoded_image}) into
 * {@code root/mathematical_reasoning}. Only multiple-choice items are kept (free-form ones are counted as
 * skipped); the category is {@code metadata.task} (e.g. geometry problem solving), else
 * {@code metadata.category}, giving {@code MathVista_{category}_{N}_pretrained_mllm_eval.json} and
 * {@code images/{pid}.jpg}.
 */
public final class MathVistaImporter {
    public static final String FOLDER = "mathematical_reasoning";
    public static final String SOURCE = "MathVista";
    private static final ObjectMapper JSON = new ObjectMapper();

    private MathVistaImporter() {
    }

    public static ImportReport importJson(Path json, Path root) {
        JsonNode doc;
        try {
            doc = JSON.readTree(json.toFile());
        } catch (IOException e) {
            throw new RadarException("cannot read MathVista JSON " + json + ": " + e.getMessage(), e);
        }
        if (doc == null || !(doc.isArray() || doc.isObject())) {
            throw new RadarException("MathVista JSON " + json + " must be a list of items or an object keyed by pid");
        }
        Path base = json.toAbsolutePath().getParent();
        ImportSink sink = new ImportSink(root.resolve(FOLDER), SOURCE, json.getFileName().toString());
        List<String> keys = new ArrayList<>();
        doc.fieldNames().forEachRemaining(keys::add);
        for (int i = 0; i < doc.size(); i++) {
            JsonNode item = doc.isArray() ? doc.get(i) : doc.get(keys.get(i));
            String pid = item.path("pid").asText(doc.isArray() ? "" : keys.get(i)).trim();
            if (pid.isEmpty()) {
                sink.problem("", "item #" + (i + 1) + " has no pid");
                continue;
            }
            JsonNode choices = item.path("choices");
            if (!choices.isArray() || choices.isEmpty()) {
                sink.skip(); // free-form question: SDS needs candidates
                continue;
            }
            String answer = item.path("answer").asText("").strip();
            List<String> distraction = new ArrayList<>();
            boolean found = false;
            for (JsonNode c : choices) {
                String t = c.asText("");
                if (!found && t.strip().equals(answer)) {
                    found = true;
                } else {
                    distraction.add(t);
                }
            }
            if (!found) {
                sink.problem(pid, "answer '" + answer + "' is not among the choices");
                continue;
            }
            byte[] image;
            try {
                image = image(item, base);
            } catch (IOException | IllegalArgumentException e) {
                sink.problem(pid, "no usable image: " + e.getMessage());
                continue;
            }
            JsonNode meta = item.path("metadata");
            String category = Names.safeCategory(meta.path("task").asText(meta.path("category").asText("general")));
            sink.add(category, pid, item.path("question").asText(""), answer, distraction, image,
                    sink.folder().resolve("images").resolve(pid + ".jpg"));
        }
        return sink.finish();
    }

    private static byte[] image(JsonNode item, Path base) throws IOException {
        JsonNode decoded = item.get("decoded_image");
        if (decoded != null && decoded.isObject()) {
            decoded = decoded.get("bytes"); // Hugging Face datasets' image struct
        }
        if (decoded != null && decoded.isTextual() && !decoded.asText().isBlank()) {
            String b64 = decoded.asText();
            return Base64.getMimeDecoder().decode(b64.substring(b64.indexOf(',') + 1).trim());
        }
        String path = item.path("image").asText("");
        if (path.isBlank()) {
            throw new IOException("neither decoded_image nor image given");
        }
        Path file = base.resolve(path);
        if (!Files.isRegularFile(file)) {
            throw new IOException("image file " + file + " not found");
        }
        return Files.readAllBytes(file);
    }
}
