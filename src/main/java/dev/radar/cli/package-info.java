/**
 * The radar command line: one picocli command per capability; commands only parse options and call the capability's API.
 */
package dev.radar.cli;
