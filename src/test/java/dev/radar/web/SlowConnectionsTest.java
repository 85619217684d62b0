package dev.radar.web;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slow-loris: clients that open connections and never finish their headers must not block the API. The JDK server
 * this replaced read headers on its 4 worker threads without a time limit, so 4 such clients stopped every answer.
 */
class SlowConnectionsTest {
    /** More slow clients than request threads, so a server that parks a thread per header read would be blocked. */
    private static final int SLOW_CLIENTS = 8;

    @Test
    void slowClientsDoNotBlockARealRequestAndAreClosedAfterTheIdleTimeout() throws Exception {
        WebConfig config = new WebConfig(WebConfig.LOOPBACK, 0, null, 2, 64, 2_000, 10_000);
        List<Socket> slow = new ArrayList<>();
        try (WebServer server = new WebServer(config).get("/ping", r -> WebReply.text(200, "text/plain", "pong"))) {
            server.start();
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                Socket s = new Socket(WebConfig.LOOPBACK, server.port());
                OutputStream out = s.getOutputStream();
                out.write("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                out.flush();  // headers never finished
                slow.add(s);
            }
            // A real request answers while every slow connection is open, well within the idle timeout.
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(server.url() + "ping")).timeout(Duration.ofMillis(config.idleTimeoutMs())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("pong", r.body());
            // The server, not the client, ends each slow connection once it idles for web.idle.timeout.ms.
            for (Socket s : slow) {
                s.setSoTimeout((int) (5 * config.idleTimeoutMs()));
                String answer = new String(readToEnd(s.getInputStream()), StandardCharsets.US_ASCII);
                assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 4"),
                        "closed, at most with an error status: " + answer);
            }
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    void aClientTricklingItsHeadersIsClosedAtTheHeaderDeadlineThoughNeverIdle() throws Exception {
        // One byte every 200 ms never lets the 2 s idle timeout fire; the 1 s header deadline ends it.
        WebConfig config = new WebConfig(WebConfig.LOOPBACK, 0, null, 2, 64, 2_000, 1_000);
        try (WebServer server = new WebServer(config).get("/ping", r -> WebReply.text(200, "text/plain", "pong"));
             Socket trickle = new Socket()) {
            server.start();
            trickle.connect(new java.net.InetSocketAddress(WebConfig.LOOPBACK, server.port()));
            OutputStream out = trickle.getOutputStream();
            out.write("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            boolean closed = false;
            // Up to 25 bytes = 5 s, five times the deadline and more than twice the idle timeout: a server without
            // the deadline keeps the connection open through all of them.
            for (int i = 0; i < 25 && !closed; i++) {
                Thread.sleep(200);
                try {
                    out.write('x');
                    out.flush();
                } catch (java.io.IOException e) {
                    closed = true;  // reset by the server
                }
                if (!closed) {
                    trickle.setSoTimeout(1);
                    try {
                        closed = trickle.getInputStream().read() == -1;
                    } catch (java.net.SocketTimeoutException e) {
                        // still open
                    } catch (java.io.IOException e) {
                        closed = true;
                    }
                }
            }
            assertTrue(closed, "the server closed the trickling connection");
        }
    }

    private static byte[] readToEnd(InputStream in) throws java.io.IOException {
        return in.readAllBytes();  // returns at end of stream; a SocketTimeoutException fails the test
    }
}
