package io.triggerdeploy.ssh;

/** Receives remote output line by line, in order per stream. */
@FunctionalInterface
public interface LineSink {

    /** Which remote stream a line came from. */
    enum Stream { STDOUT, STDERR }

    void line(Stream stream, String text);
}
