package dev.radar.web;

import java.util.Map;
import java.util.function.Function;

/**
 * One HTTP request as a route sees it, independent of the HTTP library, so route logic can move between classes
 * (and the server library can change) without touching it.
 *
 * @param method        GET, HEAD or POST
 * @param path          the path, without the query
 * @param query         query parameters (first value of each)
 * @param header        header lookup by name (case-insensitive), null when absent
 * @param body          the request body (empty for GET), at most {@link WebServer#MAX_BODY} bytes
 * @param authenticated whether the request carried the configured {@code web.token}; false when none is configured
 */
public record WebRequest(String method, String path, Map<String, String> query, Function<String, String> header,
                         byte[] body, boolean authenticated) {

    /** A required query parameter; a missing or blank one is a 400 with its name. */
    public String requiredParameter(String name) {
        String v = query.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("query parameter '" + name + "' is required");
        }
        return v;
    }
}
