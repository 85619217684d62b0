package dev.radar.testing;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

import java.io.ByteArrayOutputStream;

/** Hostile record values that tests send to RADAR's topics. */
public final class PoisonRecords {
    private PoisonRecords() {
    }

    /**
     * 16 bytes that are a well-formed single-object header for {@code schema} (marker + fingerprint) followed by a
     * first string field declaring a length of about 2 GiB: a decoder without limits tries to allocate it.
     */
    public static byte[] hugeStringField(Schema schema) {
        if (schema.getFields().isEmpty() || schema.getFields().get(0).schema().getType() != Schema.Type.STRING) {
            throw new IllegalArgumentException(schema.getName() + " does not start with a string field");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xC3);
        out.write(0x01);
        long fp = SchemaNormalization.parsingFingerprint64(schema);
        for (int i = 0; i < 8; i++) {
            out.write((int) (fp >>> (8 * i)) & 0xff);
        }
        long zigzag = ((long) Integer.MAX_VALUE - 64) << 1;
        while ((zigzag & ~0x7FL) != 0) {
            out.write((int) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        out.write((int) zigzag);
        out.write('x');
        return out.toByteArray();
    }
}
