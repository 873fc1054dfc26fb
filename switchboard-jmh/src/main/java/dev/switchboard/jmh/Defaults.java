package dev.switchboard.jmh;

/** Run lengths every benchmark shares; the command line's -wi, -i, -w, -r and -f override them. */
final class Defaults {

    static final int WARMUP_ITERATIONS = 3;
    static final int MEASUREMENT_ITERATIONS = 5;
    static final int SECONDS = 1;

    private Defaults() {
    }
}
