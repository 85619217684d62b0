package dev.radar.bench;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Naming rules of the M3-Bench layout, kept in one place so the reader, writers and importers agree. */
final class Names {
    static final String SUFFIX = "_pretrained_mllm_eval.json";
    /** {@code {Source}_{category}_{N}_pretrained_mllm_eval.json}; the category may be absent (MathVista_1000_...). */
    private static final Pattern TASK_FILE = Pattern.compile("(.+)_(\\d+)" + Pattern.quote(SUFFIX));
    /** Sources whose own name holds an underscore; all others end at the first underscore of the task. */
    private static final String[] MULTI_WORD_SOURCES = {"MMMU_Pro"};

    /** Natural order (digit runs compared as numbers) so q2 sorts before q10; ties broken by plain order. */
    static final Comparator<String> NATURAL = Names::compareNatural;
    static final Comparator<BenchSample> SAMPLE_ORDER =
            Comparator.comparing(BenchSample::task).thenComparing(BenchSample::id, NATURAL);

    private Names() {
    }

    /** Task file name parts, or null when the name does not follow the layout. */
    record TaskFile(String task, int declaredCount) {
    }

    static TaskFile parseTaskFile(String fileName) {
        Matcher m = TASK_FILE.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        try {
            return new TaskFile(m.group(1), Integer.parseInt(m.group(2)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String taskFileName(String task, int count) {
        return task + "_" + count + SUFFIX;
    }

    static String task(String source, String category) {
        return category.isEmpty() ? source : source + "_" + category;
    }

    /** Source part of a task name; independent of any taxonomy so that image paths never depend on it. */
    static String sourceOf(String task) {
        for (String s : MULTI_WORD_SOURCES) {
            if (task.equals(s) || task.startsWith(s + "_")) {
                return s;
            }
        }
        int us = task.indexOf('_');
        return us < 0 ? task : task.substring(0, us);
    }

    static String categoryOf(String task) {
        String source = sourceOf(task);
        return task.length() > source.length() ? task.substring(source.length() + 1) : "";
    }

    /** Category text made safe for file names: anything but letters, digits and '-' becomes '_'. */
    static String safeCategory(String raw) {
        String s = raw.trim().replaceAll("[^A-Za-z0-9-]+", "_").replaceAll("^_+|_+$", "");
        return s.isEmpty() ? "general" : s;
    }

    /** Sample key {@code task/id}, as {@link BenchSample#key()}; tasks never hold '/', so the first one splits. */
    static String[] splitKey(String key) {
        int slash = key.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a sample key (task/id): " + key);
        }
        return new String[]{key.substring(0, slash), key.substring(slash + 1)};
    }

    static int compareNatural(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                String na = stripZeros(a.substring(si, i));
                String nb = stripZeros(b.substring(sj, j));
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b);
    }

    private static String stripZeros(String digits) {
        int k = 0;
        while (k < digits.length() - 1 && digits.charAt(k) == '0') {
            k++;
        }
        return digits.substring(k);
    }
}
