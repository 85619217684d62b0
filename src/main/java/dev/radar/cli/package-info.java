/**
 * The radar command line: one picocli command per capability; commands only parse options and call the capability's API;
 * long-running commands assemble their components with {@link dev.radar.app.Assembly} and run them in {@code Foreground}.
 */
package dev.radar.cli;
