package dev.radar.cli;

import dev.radar.bench.BenchProblem;
import dev.radar.bench.ImportReport;
import dev.radar.bench.MMBenchImporter;
import dev.radar.bench.MathVistaImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code radar bench-import}: converts a public benchmark file into the M3-Bench layout. */
@Command(name = "bench-import", mixinStandardHelpOptions = true,
        description = "Import a public benchmark file into an M3-Bench root: MMBench TSV (into "
                + "general_visual_question_answering) or MathVista JSON, multiple-choice items only (into "
                + "mathematical_reasoning).")
public final class BenchImportCommand implements Callable<Integer> {
    enum Format { mmbench, mathvista }

    @Spec
    CommandSpec spec;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "mmbench or mathvista.")
    Format format;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "MMBench .tsv or MathVista .json file.")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Benchmark root to write into.")
    Path out;

    @Override
    public Integer call() {
        ImportReport r = switch (format) {
            case mmbench -> MMBenchImporter.importTsv(in, out);
            case mathvista -> MathVistaImporter.importJson(in, out);
        };
        PrintWriter w = spec.commandLine().getOut();
        r.files().forEach(f -> w.printf("Wrote %s%n", f));
        r.countsByTask().forEach((task, n) -> w.printf("  %-48s %d%n", task, n));
        w.printf("Imported %d questions; %d skipped by design; %d problems%n",
                r.countsByTask().values().stream().mapToInt(Integer::intValue).sum(), r.skipped(), r.problems().size());
        for (BenchProblem p : r.problems()) {
            w.printf("  %s\t%s\t%s%n", p.file(), p.questionId().isEmpty() ? "-" : p.questionId(), p.message());
        }
        w.flush();
        return 0;
    }
}
