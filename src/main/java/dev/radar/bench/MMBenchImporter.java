package dev.radar.bench;

import dev.radar.RadarException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Imports an MMBench TSV (columns index, question, hint, A, B, C, D, answer, category, image as base64, as
 * published with VLMEvalKit) into {@code root/general_visual_question_answering}: images
 * {@code images/{category}/{index}.jpg} and one {@code MMBench_{category}_{N}_pretrained_mllm_eval.json} per
 * category, with the correct option's text as answer and the other options as distraction.
 */
public final class MMBenchImporter {
    public static final String FOLDER = "general_visual_question_answering";
    public static final String SOURCE = "MMBench";

    private MMBenchImporter() {
    }

    public static ImportReport importTsv(Path tsv, Path root) {
        List<List<String>> rows;
        try {
            rows = parseTsv(Files.readString(tsv, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RadarException("cannot read MMBench TSV " + tsv + ": " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new RadarException("MMBench TSV " + tsv + " is empty");
        }
        Map<String, Integer> col = new HashMap<>();
        List<String> header = rows.get(0);
        for (int i = 0; i < header.size(); i++) {
            col.putIfAbsent(header.get(i).trim().toLowerCase(Locale.ROOT), i);
        }
        for (String need : List.of("index", "question", "answer", "category", "image", "a", "b")) {
            if (!col.containsKey(need)) {
                throw new RadarException("MMBench TSV " + tsv + " has no column '" + need + "' (header: " + header + ")");
            }
        }
        List<String> letters = new ArrayList<>();
        for (char c = 'a'; c <= 'z' && col.containsKey(String.valueOf(c)); c++) {
            letters.add(String.valueOf(c));
        }
        // VLMEvalKit stores a repeated image once; other rows hold the index of the row that has it.
        Map<String, String> imageOfIndex = new HashMap<>();
        for (List<String> r : rows.subList(1, rows.size())) {
            imageOfIndex.put(cell(r, col, "index"), cell(r, col, "image"));
        }
        ImportSink sink = new ImportSink(root.resolve(MMBenchImporter.FOLDER), SOURCE, tsv.getFileName().toString());
        for (List<String> r : rows.subList(1, rows.size())) {
            String id = cell(r, col, "index");
            if (id.isEmpty()) {
                sink.problem("", "row without index skipped");
                continue;
            }
            String category = Names.safeCategory(cell(r, col, "category"));
            String hint = cell(r, col, "hint");
            String q = cell(r, col, "question");
            String question = hint.isBlank() ? q : hint.strip() + "\n" + q;
            String answerLetter = cell(r, col, "answer").trim().toLowerCase(Locale.ROOT);
            String answer = null;
            List<String> distraction = new ArrayList<>();
            for (String l : letters) {
                String option = cell(r, col, l);
                if (option.isBlank()) {
                    continue; // fewer options than columns
                }
                if (l.equals(answerLetter)) {
                    answer = option;
                } else {
                    distraction.add(option);
                }
            }
            if (answer == null) {
                sink.problem(id, "answer '" + answerLetter.toUpperCase(Locale.ROOT) + "' is not one of the options");
                continue;
            }
            String image = cell(r, col, "image");
            if (image.length() <= 64 && imageOfIndex.containsKey(image.trim())) {
                image = imageOfIndex.get(image.trim());
            }
            byte[] bytes;
            try {
                bytes = Base64.getMimeDecoder().decode(image.trim());
            } catch (IllegalArgumentException e) {
                sink.problem(id, "image is not base64: " + e.getMessage());
                continue;
            }
            if (bytes.length == 0) {
                sink.problem(id, "no image");
                continue;
            }
            sink.add(category, id, question, answer, distraction, bytes,
                    sink.folder().resolve("images").resolve(category).resolve(id + ".jpg"));
        }
        return sink.finish();
    }

    private static String cell(List<String> row, Map<String, Integer> col, String name) {
        Integer i = col.get(name);
        return i == null || i >= row.size() ? "" : row.get(i);
    }

    /** Tab-separated values with the quoting pandas writes: fields holding tabs, newlines or quotes are quoted. */
    static List<List<String>> parseTsv(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        boolean fieldStart = true;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    f.append(c);
                }
            } else if (c == '"' && fieldStart) {
                quoted = true;
                fieldStart = false;
            } else if (c == '\t') {
                row.add(f.toString());
                f.setLength(0);
                fieldStart = true;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                row.add(f.toString());
                f.setLength(0);
                fieldStart = true;
                if (!(row.size() == 1 && row.get(0).isEmpty())) {
                    rows.add(row);
                }
                row = new ArrayList<>();
            } else {
                f.append(c);
                fieldStart = false;
            }
        }
        if (f.length() > 0 || !row.isEmpty()) {
            row.add(f.toString());
            rows.add(row);
        }
        return rows;
    }
}
