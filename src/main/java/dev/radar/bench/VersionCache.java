package dev.radar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.radar.RadarException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Content version of a benchmark and its cache in {@code root/.radar/version.json}.
 *
 * <p>Hashing image bytes is the slow part of a load, so each image digest is cached under the file's size,
 * modification time and (on Unix) change time, and the whole version under a fingerprint of every file's
 * stat. Like git's index, an entry is trusted only when its file was last modified well before the entry was
 * written: a change within the file system's timestamp granularity could otherwise go unnoticed.
 */
final class VersionCache {
    static final String FILE = "version.json";
    private static final long RACY_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    record Stat(long size, long mtime, long ctime) {
    }

    /** Stat of every file under the root (the cache folder aside), hashed; {@code newestMtime} for the racy test. */
    record Fingerprint(String hash, long newestMtime) {
    }

    private record Entry(Stat stat, String sha256) {
    }

    private final Path root;
    private final long computedAt;
    private final String cachedFingerprint;
    private final String cachedVersion;
    private final Map<String, Entry> cached;
    private final Map<String, Entry> fresh = new TreeMap<>();
    private int hashedFiles;

    private VersionCache(Path root, long computedAt, String fingerprint, String version, Map<String, Entry> cached) {
        this.root = root;
        this.computedAt = computedAt;
        this.cachedFingerprint = fingerprint;
        this.cachedVersion = version;
        this.cached = cached;
    }

    static Path cacheDir(Path root) {
        return root.resolve(M3BenchReader.CACHE_DIR);
    }

    /** The cache on disk, or an empty one when it is missing or unreadable (it is only ever an optimisation). */
    static VersionCache open(Path root) {
        Path f = cacheDir(root).resolve(FILE);
        if (Files.isRegularFile(f)) {
            try {
                JsonNode n = JSON.readTree(f.toFile());
                Map<String, Entry> entries = new HashMap<>();
                n.path("images").properties().forEach(e -> {
                    JsonNode v = e.getValue();
                    entries.put(e.getKey(), new Entry(new Stat(v.path("size").asLong(), v.path("mtime").asLong(),
                            v.path("ctime").asLong()), v.path("sha256").asText()));
                });
                return new VersionCache(root, n.path("computedAt").asLong(), n.path("fingerprint").asText(null),
                        n.path("version").asText(null), entries);
            } catch (IOException | RuntimeException e) {
                // A damaged cache is rebuilt, never trusted.
            }
        }
        return new VersionCache(root, Long.MIN_VALUE, null, null, Map.of());
    }

    /** The cached version if nothing under the root changed since it was computed, else null. */
    String trustedVersion(Fingerprint current) {
        if (cachedVersion == null || !current.hash().equals(cachedFingerprint)) {
            return null;
        }
        return current.newestMtime() < computedAt - RACY_NANOS ? cachedVersion : null;
    }

    /** Number of image files actually read and hashed by this instance (the rest came from the cache). */
    int hashedFiles() {
        return hashedFiles;
    }

    /** Content hash over the samples in order: task, id, question, candidates, and each image's bytes. */
    String version(List<BenchSample> samples) {
        MessageDigest md = sha256();
        md.update("radar-bench-v1\n".getBytes(StandardCharsets.UTF_8));
        for (BenchSample s : samples) {
            field(md, s.task());
            field(md, s.id());
            field(md, s.question());
            count(md, s.candidates().size());
            for (String c : s.candidates()) {
                field(md, c);
            }
            count(md, s.images().size());
            for (Path img : s.images()) {
                md.update(HEX.parseHex(imageDigest(img)));
            }
        }
        return HEX.formatHex(md.digest());
    }

    private String imageDigest(Path image) {
        String rel = root.relativize(image).toString().replace('\\', '/');
        Entry done = fresh.get(rel);
        if (done != null) {
            return done.sha256();
        }
        Stat st = stat(image);
        Entry old = cached.get(rel);
        Entry e = old != null && old.stat().equals(st) && st.mtime() < computedAt - RACY_NANOS
                ? old : new Entry(st, hashFile(image));
        fresh.put(rel, e);
        return e.sha256();
    }

    private String hashFile(Path file) {
        hashedFiles++;
        MessageDigest md = sha256();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new RadarException("cannot read image " + file + ": " + e.getMessage(), e);
        }
        return HEX.formatHex(md.digest());
    }

    /**
     * Writes the cache: the fingerprint taken BEFORE reading (so a change during the load shows up next time)
     * and the digests of the images hashed now. A read-only benchmark simply stays uncached.
     */
    void save(Fingerprint before, String version, long startedAt) {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", 1);
        n.put("computedAt", startedAt);
        n.put("fingerprint", before.hash());
        n.put("version", version);
        ObjectNode images = n.putObject("images");
        fresh.forEach((rel, e) -> images.putObject(rel).put("size", e.stat().size()).put("mtime", e.stat().mtime())
                .put("ctime", e.stat().ctime()).put("sha256", e.sha256()));
        try {
            writeAtomically(cacheDir(root).resolve(FILE), JSON.writeValueAsBytes(n));
        } catch (IOException e) {
            // Read-only roots are fine: the next load hashes again.
        }
    }

    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The clock the file system stamps files with, in nanoseconds. */
    static long now() {
        return TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
    }

    static Fingerprint fingerprint(Path root) {
        Path cache = cacheDir(root);
        MessageDigest md = sha256();
        long newest = Long.MIN_VALUE;
        // Datasets often link image folders in: follow links, or changes behind them would go unseen.
        try (Stream<Path> files = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) {
            List<Path> sorted = files.filter(p -> !p.startsWith(cache) && Files.isRegularFile(p)).sorted().toList();
            for (Path p : sorted) {
                Stat st = stat(p);
                field(md, root.relativize(p).toString());
                md.update((st.size() + ":" + st.mtime() + ":" + st.ctime() + "\n").getBytes(StandardCharsets.UTF_8));
                newest = Math.max(newest, st.mtime());
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new RadarException("cannot scan benchmark folder " + root + ": " + e.getMessage(), e);
        }
        return new Fingerprint(HEX.formatHex(md.digest()), newest);
    }

    static Stat stat(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            long ctime = 0;
            try {
                // Change time cannot be set back by tools like touch, so a rewrite keeping mtime still shows.
                ctime = ((FileTime) Files.getAttribute(p, "unix:ctime")).to(TimeUnit.NANOSECONDS);
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                // not a Unix file system: size and mtime must do
            }
            return new Stat(a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), ctime);
        } catch (IOException e) {
            throw new RadarException("cannot read file attributes of " + p + ": " + e.getMessage(), e);
        }
    }

    private static void field(MessageDigest md, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        count(md, b.length);
        md.update(b);
    }

    private static void count(MessageDigest md, int n) {
        md.update(new byte[]{(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
