package io.triggerdeploy.ssh;

/** Receives remote output line by line, in order per stream. */
@FunctionalInterface
public interface LineSink {

    /** Which remote stream a line came from. */
    enum Stream { STDOUT, STDERR }

    void line(Stream stream, String text);

    /**
     * A line, or with {@code cut} a piece of a line longer than the limit whose next piece follows (a sink that masks
     * secrets holds back an unfinished one across the cut).
     */
    default void line(Stream stream, String text, boolean cut) {
        line(stream, text);
    }
}
