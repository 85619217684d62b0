package dev.radar.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A route's answer: status, content type and body. */
public record WebReply(int status, String contentType, byte[] body) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static WebReply json(int status, Object value) {
        try {
            return new WebReply(status, "application/json", JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON reply", e);
        }
    }

    /** {@code {"error": message}}: every error reply names what was wrong. */
    public static WebReply error(int status, String message) {
        return json(status, Map.of("error", message));
    }

    public static WebReply text(int status, String contentType, String body) {
        return new WebReply(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }
}
