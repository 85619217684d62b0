package dev.radar.web;

import dev.radar.RadarException;
import dev.radar.config.RadarProperties;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Settings of the process's one HTTP server (page, API, {@code /metrics}, {@code /health/*}).
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>web.bind</td><td>127.0.0.1</td><td>address to listen on; anything but loopback needs web.token when the
 *       server takes writes (POST /api/checkpoints), else start-up fails</td></tr>
 *   <tr><td>web.port</td><td>8080 with the page (aggregator, demo), else 9404</td><td>HTTP port (0 = any free port)</td></tr>
 *   <tr><td>web.token</td><td>(none)</td><td>bearer token every write needs ("Authorization: Bearer TOKEN");
 *       reevaluate=true needs it even on loopback</td></tr>
 *   <tr><td>web.threads</td><td>8</td><td>request threads (requests, not connections: idle connections hold none)</td></tr>
 *   <tr><td>web.max.connections</td><td>64</td><td>open connections at most; further ones wait in the accept queue</td></tr>
 *   <tr><td>web.idle.timeout.ms</td><td>10000</td><td>a connection that sends nothing for this long (mid-headers,
 *       mid-body or between requests) is closed</td></tr>
 *   <tr><td>web.header.timeout.ms</td><td>10000</td><td>a new connection whose first request headers are not complete
 *       by then is closed, however slowly it keeps sending (a byte every few seconds defeats the idle timeout)</td></tr>
 *   <tr><td>web.validate.content</td><td>true</td><td>POST /api/checkpoints checks the folder's content with the
 *       planner's rules (needs the checkpoints mounted here); false checks fields and location only</td></tr>
 * </table>
 */
public record WebConfig(String bind, int port, String token, int threads, int maxConnections, long idleTimeoutMs,
                        long headerTimeoutMs) {

    /** Port of a process that serves the page and API. */
    public static final int PAGE_PORT = 8080;
    /** Port of a process that serves only {@code /metrics} and {@code /health/*} (planner, scorer, watcher). */
    public static final int METRICS_PORT = 9404;
    public static final String LOOPBACK = "127.0.0.1";

    public WebConfig {
        if (port < 0 || port > 65535) {
            throw new RadarException("web.port must be 0..65535, was " + port);
        }
        if (threads < 1 || maxConnections < 1 || idleTimeoutMs < 1 || headerTimeoutMs < 1) {
            throw new RadarException("web.threads, web.max.connections, web.idle.timeout.ms and web.header.timeout.ms must be positive");
        }
    }

    /** @param defaultPort {@link #PAGE_PORT} or {@link #METRICS_PORT}, by what the process serves */
    public static WebConfig from(RadarProperties p, int defaultPort) {
        String token = p.get("web.token", "");
        return new WebConfig(p.get("web.bind", LOOPBACK), p.getInt("web.port", defaultPort),
                token.isBlank() ? null : token, p.getInt("web.threads", 8), p.getInt("web.max.connections", 64),
                p.getLong("web.idle.timeout.ms", 10_000), p.getLong("web.header.timeout.ms", 10_000));
    }

    /** Loopback, any free port, no token: tests. */
    public static WebConfig loopbackAnyPort() {
        return new WebConfig(LOOPBACK, 0, null, 8, 64, 10_000, 10_000);
    }

    public WebConfig withToken(String newToken) {
        return new WebConfig(bind, port, newToken, threads, maxConnections, idleTimeoutMs, headerTimeoutMs);
    }

    public WebConfig withBind(String newBind) {
        return new WebConfig(newBind, port, token, threads, maxConnections, idleTimeoutMs, headerTimeoutMs);
    }


    /** Whether {@link #bind} only accepts connections from this host. */
    public boolean loopback() {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new RadarException("web.bind=" + bind + " is not an address of this host");
        }
    }

    /**
     * Refuses a server that anyone on the network could write to: a non-loopback bind with write routes and no token.
     */
    public void requireSafe(boolean takesWrites) {
        if (takesWrites && token == null && !loopback()) {
            throw new RadarException("web.bind=" + bind + " accepts connections from other hosts, so writes need a token:"
                    + " set web.token (env RADAR_WEB_TOKEN) or bind 127.0.0.1");
        }
    }
}
