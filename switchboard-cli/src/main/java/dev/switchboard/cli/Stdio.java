package dev.switchboard.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The raw byte streams a command splices to the network: the process's stdin and stdout, or
 * stand-ins a test provides. Raw file streams rather than System.out, because a PrintStream
 * swallows write errors and we must notice a closed pipe.
 */
record Stdio(InputStream in, OutputStream out) {

    static Stdio system() {
        return new Stdio(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out));
    }
}
