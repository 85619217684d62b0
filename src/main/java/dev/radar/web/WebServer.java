package dev.radar.web;

import dev.radar.RadarException;
import dev.radar.Service;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The process's one HTTP server. Components add their routes (the page and API, {@code /metrics}, {@code /health/*});
 * the server owns what every route shares: timeouts, the connection limit, the bearer token on every write, the JSON
 * Content-Type on every POST, the body size limit and error replies.
 *
 * <p>Why Jetty 12 core and not the JDK's HttpServer: the JDK server reads request headers on its worker threads with
 * no time limit, so four clients that never finish their headers held every thread and the page and API stopped
 * answering. Jetty parses headers on its selector without holding a request thread, closes a connection idle for
 * {@code web.idle.timeout.ms} (also mid-headers or mid-body), caps open connections ({@code web.max.connections}) and
 * header size; the server adds a deadline for the first request's headers ({@code web.header.timeout.ms}); its core API needs no servlet container. (Undertow offers the same but is larger and less maintained.)
 */
public final class WebServer implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);
    /** Largest POST body accepted; a checkpoint event is a few hundred bytes. */
    public static final int MAX_BODY = 64 * 1024;
    private static final int MAX_HEADER_BYTES = 8 * 1024;

    private final WebConfig config;
    private final Map<String, WebRoute> reads = new ConcurrentHashMap<>();
    private final Map<String, WebRoute> writes = new ConcurrentHashMap<>();
    private Server server;
    private ServerConnector connector;

    public WebServer(WebConfig config) {
        this.config = config;
    }

    public WebConfig config() {
        return config;
    }

    /** Adds a GET (and HEAD) route for exactly {@code path}. */
    public WebServer get(String path, WebRoute route) {
        reads.put(path, route);
        return this;
    }

    /** Adds a POST route for exactly {@code path}: a write, so it gets the token and Content-Type checks. */
    public WebServer post(String path, WebRoute route) {
        writes.put(path, route);
        return this;
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public synchronized void start() {
        if (server != null) {
            return;
        }
        config.requireSafe(!writes.isEmpty());
        // Request threads plus Jetty's acceptor and selector; idle connections hold none of them.
        QueuedThreadPool pool = new QueuedThreadPool(config.threads() + 2, 2);
        pool.setName("radar-http");
        pool.setDaemon(true);
        pool.setReservedThreads(0);
        Server s = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        ServerConnector c = new ServerConnector(s, 1, 1, new HttpConnectionFactory(http));
        c.setHost(config.bind());
        c.setPort(config.port());
        c.setIdleTimeout(config.idleTimeoutMs());
        c.addBean(new HeaderDeadline(c, config.headerTimeoutMs()));
        s.addConnector(c);
        s.addBean(new NetworkConnectionLimit(config.maxConnections(), s));
        s.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                respond(request, response, callback);
                return true;
            }
        });
        try {
            s.start();
        } catch (Exception e) {
            stopQuietly(s);
            if (causedBy(e, BindException.class)) {
                throw new RadarException("port " + config.port() + " on " + config.bind() + " is already in use (web.port):"
                        + " stop what holds it or set another port");
            }
            throw new RadarException("cannot start the HTTP server on " + config.bind() + ":" + config.port() + ": " + e, e);
        }
        server = s;
        connector = c;
        LOG.debug("HTTP on {}:{} (GET {}, POST {})", config.bind(), port(), reads.keySet(), writes.keySet());
    }

    /** {@code http://host:port/} reachable from this host. */
    public String url() {
        String host = config.bind().equals("0.0.0.0") || config.bind().equals("::") ? WebConfig.LOOPBACK : config.bind();
        return "http://" + host + ":" + port() + "/";
    }

    /** The bound port (the real one when {@code web.port=0}). */
    public synchronized int port() {
        if (connector == null) {
            throw new RadarException("HTTP server not started");
        }
        return connector.getLocalPort();
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            stopQuietly(server);
            server = null;
            connector = null;
        }
    }

    private void respond(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        String path = Request.getPathInContext(request);
        WebReply reply;
        try {
            reply = dispatch(request, method, path);
        } catch (RadarException | IllegalArgumentException e) {
            reply = WebReply.error(400, e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.warn("{} {} failed", method, path, e);
            reply = WebReply.error(500, e.toString());
        }
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        boolean head = method.equals("HEAD");
        response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(reply.body()), callback);
    }

    private WebReply dispatch(Request request, String method, String path) throws IOException {
        Map<String, String> query = query(request);
        boolean authenticated = authorized(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        if (method.equals("POST")) {
            WebRoute route = writes.get(path);
            if (route == null) {
                return reads.containsKey(path) ? WebReply.error(405, "use GET on " + path)
                        : WebReply.error(404, "no such page: " + path);
            }
            if (config.token() != null && !authenticated) {
                return WebReply.error(401, "missing or wrong bearer token (web.token is set)");
            }
            if (!isJson(request.getHeaders().get(HttpHeader.CONTENT_TYPE))) {
                // A form or text/plain POST is a "simple" cross-site request a browser sends without asking: refuse it.
                return WebReply.error(415, "Content-Type must be application/json");
            }
            byte[] body;
            try (InputStream in = Content.Source.asInputStream(request)) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                return WebReply.error(413, "body larger than " + MAX_BODY + " bytes");
            }
            return route.handle(new WebRequest(method, path, query, name -> request.getHeaders().get(name), body,
                    authenticated));
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return WebReply.error(405, "method " + method + " not allowed on " + path);
        }
        WebRoute route = reads.get(path);
        if (route == null) {
            return writes.containsKey(path) ? WebReply.error(405, "use POST on " + path)
                    : WebReply.error(404, "no such page: " + path);
        }
        return route.handle(new WebRequest(method, path, query, name -> request.getHeaders().get(name), new byte[0],
                authenticated));
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String media = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        return media.equals("application/json");
    }

    private boolean authorized(String header) {
        if (config.token() == null || header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        // constant-time comparison: the token guards who may trigger evaluations
        return MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8),
                config.token().getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> query(Request request) {
        Map<String, String> out = new HashMap<>();
        Fields fields = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        for (Fields.Field f : fields) {
            out.put(f.getName(), f.getValue());
        }
        return out;
    }

    /**
     * Closes a connection whose first request headers are not complete {@code ms} after it opened. The idle timeout
     * alone does not bound a client that sends one byte just before each timeout; this does, so slow clients cannot
     * keep all {@code web.max.connections} for long.
     */
    private record HeaderDeadline(ServerConnector connector, long ms) implements Connection.Listener {
        @Override
        public void onOpened(Connection connection) {
            connector.getScheduler().schedule(() -> {
                if (connection.getMessagesIn() == 0 && connection.getEndPoint().isOpen()) {
                    connection.getEndPoint().close();
                }
            }, ms, TimeUnit.MILLISECONDS);
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static void stopQuietly(Server s) {
        try {
            s.stop();
        } catch (Exception e) {
            LOG.debug("stopping the HTTP server", e);
        }
    }
}
