package dev.radar;

import dev.radar.testing.RepoFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's package table ("### Packages") is the package diagram: each package's RADAR imports in the code
 * equal its "may import" cell, and every import points at a package listed above it, so there is no cycle.
 */
class PackageDependenciesTest {
    private static final Path SOURCES = RepoFiles.path("src/main/java/dev/radar");
    /** A use of another RADAR package in code: {@code dev.radar.x.y.Type} (imports and fully qualified names). */
    private static final Pattern USE = Pattern.compile("\\bdev\\.radar\\.([a-z][a-z0-9]*(?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z.]+)` \\|.*\\| ([^|]*) \\|$");

    @Test
    void theCodesImportsAreTheReadmesPackageTable() throws IOException {
        Map<String, Set<String>> documented = readmeTable();
        Map<String, Set<String>> actual = importsByPackage();
        assertEquals(new TreeSet<>(documented.keySet()), new TreeSet<>(actual.keySet()),
                "packages in the README table vs packages with code");
        for (var e : actual.entrySet()) {
            assertEquals(documented.get(e.getKey()), e.getValue(), "imports of dev.radar." + e.getKey()
                    + " (README '### Packages', column 'may import')");
        }
    }

    @Test
    void everyPackageImportsOnlyPackagesListedAboveIt() throws IOException {
        List<String> order = new ArrayList<>(readmeTable().keySet());
        readmeTable().forEach((pkg, imports) -> imports.forEach(i -> assertTrue(order.indexOf(i) >= 0
                        && order.indexOf(i) < order.indexOf(pkg),
                pkg + " imports " + i + ", which is not listed above it: a cycle or a wrong order")));
    }

    /** The README rows in order: package -> its "may import" set. */
    private static Map<String, Set<String>> readmeTable() throws IOException {
        List<String> lines = Files.readAllLines(RepoFiles.path("README.md"));
        int start = lines.indexOf("### Packages");
        assertTrue(start >= 0, "README has a '### Packages' section");
        Map<String, Set<String>> table = new LinkedHashMap<>();
        for (String line : lines.subList(start, lines.size())) {
            if (line.startsWith("#") && !line.equals("### Packages")) {
                break;
            }
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                Set<String> imports = new TreeSet<>();
                for (String i : m.group(2).split(",")) {
                    if (!i.isBlank() && !i.trim().equals("-")) {
                        imports.add(i.trim());
                    }
                }
                table.put(m.group(1), imports);
            }
        }
        assertTrue(table.size() > 10, "package rows read from the README: " + table.keySet());
        return table;
    }

    /** Package (relative to dev.radar) -> the other RADAR packages its code uses, comments left out. */
    private static Map<String, Set<String>> importsByPackage() throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path dir = SOURCES.relativize(f.getParent());
                if (dir.toString().isEmpty()) {
                    continue; // the root: Service, RadarException, ... which everyone may use
                }
                String pkg = dir.toString().replace('/', '.');
                Set<String> uses = out.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = USE.matcher(withoutComments(Files.readString(f)));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        uses.add(m.group(1));
                    }
                }
            }
        }
        return out;
    }

    /** Javadoc links name packages without depending on them; only code counts. */
    private static String withoutComments(String java) {
        return java.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }
}
