package dev.radar.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every error the server answers is JSON with its status, also for requests no route sees (a malformed query string,
 * an unknown path, a wrong method): API clients parse one format. Raw sockets, so the client cannot fix the request.
 */
class WebErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static WebServer server;

    @BeforeAll
    static void start() {
        server = new WebServer(WebConfig.loopbackAnyPort())
                .get("/echo", r -> WebReply.json(200, r.query()))
                .post("/write", r -> WebReply.json(202, java.util.Map.of("ok", true)));
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "GET, /echo?run=%ZZ, 400",
            "GET, /echo?run=%E0%A4%A, 400",
            "GET, /nowhere, 404",
            "DELETE, /echo, 405",
            "GET, /write, 405",
    })
    void errorsAreJsonWithTheirStatus(String method, String target, int status) throws Exception {
        String[] answer = exchange(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertTrue(answer[0].startsWith("HTTP/1.1 " + status + " "), "status line: " + answer[0]);
        assertTrue(answer[1].toLowerCase().contains("content-type: application/json"), "headers: " + answer[1]);
        JsonNode body = JSON.readTree(answer[2]);
        assertTrue(body.path("error").isTextual() && !body.path("error").asText().isBlank(), "body: " + answer[2]);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"run=a%20b, a b", "run=%E2%9C%93, \u2713"})
    void wellEncodedQueriesAreDecoded(String query, String run) throws Exception {
        String[] answer = exchange("GET /echo?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertTrue(answer[0].startsWith("HTTP/1.1 200 "), answer[0]);
        assertEquals(run, JSON.readTree(answer[2]).path("run").asText());
    }

    /** Status line, headers, body of one request sent as raw bytes. */
    private static String[] exchange(String request) throws Exception {
        try (Socket s = new Socket(WebConfig.LOOPBACK, server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int headersEnd = text.indexOf("\r\n\r\n");
            int lineEnd = text.indexOf("\r\n");
            return new String[]{text.substring(0, lineEnd), text.substring(lineEnd + 2, headersEnd),
                    text.substring(headersEnd + 4)};
        }
    }
}
