package dev.radar.web;

import java.io.IOException;

/**
 * What a component adds to its process's one {@link WebServer}: the handler of one path. A route may throw
 * {@link dev.radar.RadarException} or {@link IllegalArgumentException} for a bad request (answered 400 with the
 * message); anything else is a 500.
 */
@FunctionalInterface
public interface WebRoute {
    WebReply handle(WebRequest request) throws IOException;
}
