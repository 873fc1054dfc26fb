package dev.switchboard.model;

import dev.switchboard.server.ConnectionHandler;
import dev.switchboard.service.Exec;
import java.util.ArrayList;
import java.util.List;

/**
 * The tutorial's forking server: a child process per connection, the socket spliced to the
 * child's stdin/stdout by {@link Exec} (which also gives the child the UCSPI-TCP environment,
 * stops it when the caller goes, and reaps it). The parent side of each connection runs on a
 * virtual thread.
 *
 * <p>For {@code exec} the child is the user's program, so {@link #adapt} keeps that handler as
 * it is. For a built-in service the child is {@code child}: switchboard itself serving that
 * one connection on its stdin/stdout ({@code switchboard handle SERVICE}), which reads the
 * caller's address from {@code TCPREMOTEIP}/{@code TCPREMOTEPORT}.
 *
 * @param child how to run a built-in service in a child, or null when only exec is served
 */
public record ProcessPerConnection(Exec child) implements ConcurrencyModel {

    /**
     * JVM options for a child that lives as long as one connection: start fast, stay small.
     * C1 only (no C2 compile threads), the serial collector (no GC threads to start), the
     * class-data archive when there is one, and no perf-data file in /tmp per child.
     */
    public static final List<String> CHILD_JVM_OPTIONS = List.of(
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-XX:-UsePerfData",
            "-Xss512k", "-XX:CICompilerCount=1");

    public ProcessPerConnection {
        VirtualThreadPerConnection.preparePoller(); // the parent side runs on virtual threads
    }

    /** Runs {@code childCommand} per connection for built-in services, with {@link Exec}'s defaults. */
    public ProcessPerConnection(List<String> childCommand) {
        this(childCommand.isEmpty() ? null : Exec.of(childCommand));
    }

    @Override
    public String name() {
        return "fork";
    }

    @Override
    public void execute(Runnable connectionTask) {
        Thread.ofVirtual().name("conn-", 0).start(connectionTask);
    }

    /**
     * Exec already runs a child per connection, so it is kept; any other handler is replaced by
     * the child command, which serves the connection in its own process.
     *
     * @throws IllegalArgumentException for a handler that is not exec when no child was given:
     *                                  arbitrary Java code can't be moved into a new process
     */
    @Override
    public ConnectionHandler adapt(ConnectionHandler handler) {
        if (handler instanceof Exec) {
            return handler;
        }
        if (child == null) {
            throw new IllegalArgumentException("the fork model runs exec or a built-in service in a child process;"
                    + " this handler can only run in-process (use --model threads or virtual)");
        }
        return child;
    }

    /**
     * The command that starts this same Java program with {@code mainClass} and {@code args}, for a
     * child: this JVM's binary, {@link #CHILD_JVM_OPTIONS} and this JVM's class path.
     */
    public static List<String> javaCommand(String mainClass, List<String> args) {
        String java = ProcessHandle.current().info().command().orElse(
                System.getProperty("java.home") + "/bin/java");
        return javaCommand(java, System.getProperty("java.class.path"), mainClass, args);
    }

    /** As {@link #javaCommand(String, List)}, with the java binary and class path given. */
    public static List<String> javaCommand(String java, String classPath, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(CHILD_JVM_OPTIONS);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }
}
