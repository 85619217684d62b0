package dev.radar.web;

import dev.radar.config.RadarProperties;

/**
 * Web server settings.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>web.port</td><td>8080</td><td>HTTP port (0 = any free port)</td></tr>
 *   <tr><td>web.bind</td><td>0.0.0.0</td><td>address to listen on</td></tr>
 *   <tr><td>web.token</td><td>(none)</td><td>when set, POST /api/checkpoints requires "Authorization: Bearer TOKEN"</td></tr>
 *   <tr><td>web.threads</td><td>4</td><td>request threads</td></tr>
 * </table>
 */
public record WebConfig(String bind, int port, String token, int threads) {

    public static WebConfig from(RadarProperties p) {
        String token = p.get("web.token", "");
        return new WebConfig(p.get("web.bind", "0.0.0.0"), p.getInt("web.port", 8080),
                token.isBlank() ? null : token, Math.max(1, p.getInt("web.threads", 4)));
    }
}
