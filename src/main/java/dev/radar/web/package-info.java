/**
 * The process's one HTTP server and the routes on it.
 *
 * <ul>
 *   <li>{@link dev.radar.web.WebServer}: Jetty 12 core with timeouts, a connection limit, the token on every write and
 *       JSON-only POSTs, configured by {@link dev.radar.web.WebConfig}; components add {@link dev.radar.web.WebRoute}s.</li>
 *   <li>{@link dev.radar.web.ApiRoutes}: the web page and REST API (live ability curves, radar chart, per-task table,
 *       alerts from the aggregator) and an HTTP way for training jobs to publish checkpoint events.</li>
 * </ul>
 * May import: aggregate (queries), events, kafka (publisher). Not metrics or app: they add their routes here.
 */
package dev.radar.web;
