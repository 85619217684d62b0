package dev.radar.scoring.djl;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import dev.radar.scoring.ModelConfig;
import dev.radar.scoring.ModelLoadException;
import dev.radar.scoring.ScoringConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A loaded scoring package: model.pt (TorchScript, DJL PyTorch engine, NoopTranslator), tokenizer.json
 * (Hugging Face tokenizer) and radar-model.json. Every file is looked up in the package directory itself, so
 * each checkpoint directory is self-contained. Loading is thread-safe; one forward at a time per instance.
 */
public final class ScoringModel implements AutoCloseable {

    public static final String MODEL_FILE = "model.pt";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    /** Engine initialisation (native library unpack and load) must happen once, not concurrently. */
    private static final Object LOAD_LOCK = new Object();

    private final Path dir;
    private final ModelConfig config;
    private final HuggingFaceTokenizer tokenizer;
    private final ZooModel<NDList, NDList> model;
    private final int imageTokenId;
    private final int padTokenId;

    private ScoringModel(Path dir, ModelConfig config, HuggingFaceTokenizer tokenizer, ZooModel<NDList, NDList> model,
                         int imageTokenId) {
        this.dir = dir;
        this.config = config;
        this.tokenizer = tokenizer;
        this.model = model;
        this.imageTokenId = imageTokenId;
        // Padding positions are masked out; their id only has to differ from the image placeholder's.
        this.padTokenId = imageTokenId == 0 ? 1 : 0;
    }

    /** Loads the package in {@code dir} for {@code cfg}'s device and dtype. */
    public static ScoringModel load(Path dir, ScoringConfig cfg) {
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("scoring package directory not found: " + dir);
        }
        ModelConfig config = ModelConfig.read(dir.resolve(ModelConfig.FILE));
        if (!cfg.dtype().equals("auto") && !cfg.dtype().equals(config.dtype())) {
            throw new ModelLoadException("scoring.dtype=" + cfg.dtype() + " but " + dir.resolve(ModelConfig.FILE)
                    + " says model.pt was exported as " + config.dtype() + "; re-export with --dtype " + cfg.dtype());
        }
        Path modelFile = dir.resolve(MODEL_FILE);
        if (!Files.isRegularFile(modelFile)) {
            throw new ModelLoadException("missing " + MODEL_FILE + ": " + modelFile);
        }
        HuggingFaceTokenizer tokenizer = loadTokenizer(dir.resolve(TOKENIZER_FILE));
        try {
            int imageId = placeholderId(tokenizer, config, dir.resolve(TOKENIZER_FILE));
            ZooModel<NDList, NDList> model = loadTorchScript(modelFile, cfg.device());
            return new ScoringModel(dir, config, tokenizer, model, imageId);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    private static HuggingFaceTokenizer loadTokenizer(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("missing " + TOKENIZER_FILE + ": " + file);
        }
        ensureOffline();
        try {
            // Explicit: no special tokens added (the template carries them), no truncation, no padding.
            return HuggingFaceTokenizer.builder().optTokenizerPath(file).optAddSpecialTokens(false)
                    .optTruncation(false).optPadding(false).build();
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("cannot load tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    private static int placeholderId(HuggingFaceTokenizer tokenizer, ModelConfig config, Path file) {
        Encoding enc = tokenizer.encode(config.imagePlaceholder(), false, false);
        long[] ids = enc.getIds();
        String[] toks = enc.getTokens();
        if (ids.length != 1 || !config.imagePlaceholder().equals(toks[0])) {
            throw new ModelLoadException(file + " does not have the image placeholder token '"
                    + config.imagePlaceholder() + "' of radar-model.json as a single token (it encodes to "
                    + java.util.Arrays.toString(toks) + ")");
        }
        return (int) ids[0];
    }

    private static ZooModel<NDList, NDList> loadTorchScript(Path modelFile, String deviceName) {
        ensureOffline();
        Device device;
        try {
            device = Device.fromName(deviceName);
        } catch (RuntimeException e) {
            throw new ModelLoadException("unknown scoring.device '" + deviceName + "'", e);
        }
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                // Directory + name (not the file itself): DJL then loads <dir>/model.pt without a repository warning.
                .optModelPath(modelFile.getParent())
                .optModelName(MODEL_FILE.substring(0, MODEL_FILE.length() - 3))
                .optEngine("PyTorch")
                .optDevice(device)
                .optTranslator(new NoopTranslator())
                .build();
        synchronized (LOAD_LOCK) {
            try {
                return criteria.loadModel();
            } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
                throw new ModelLoadException("cannot load " + modelFile + " (corrupt or not TorchScript?): "
                        + rootMessage(e), e);
            }
        }
    }

    /**
     * The project never downloads at run time: the natives come from Maven, models from the package. And batch
     * shapes change with every batch, so TorchScript's profiling executor would keep re-specialising the graph:
     * turn the graph optimizer off unless the user chose otherwise (measured: packed about 2x faster on CPU).
     */
    private static void ensureOffline() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("ai.djl.pytorch.graph_optimizer") == null) {
            System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }

    /** Token ids of {@code text} exactly as tokenizer.json assigns them (no special tokens added). */
    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    /** Runs model.pt on inputs attached to {@code manager}; outputs are attached to the same manager. */
    NDList forward(NDManager manager, NDList inputs) {
        return model.getBlock().forward(new ParameterStore(manager, false), inputs, false);
    }

    NDManager newManager() {
        return model.getNDManager().newSubManager();
    }

    public ModelConfig config() {
        return config;
    }

    public Path dir() {
        return dir;
    }

    public int imageTokenId() {
        return imageTokenId;
    }

    public int padTokenId() {
        return padTokenId;
    }

    @Override
    public void close() {
        model.close();
        tokenizer.close();
    }
}
