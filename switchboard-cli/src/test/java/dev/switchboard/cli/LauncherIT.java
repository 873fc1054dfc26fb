package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher ({@code ./switchboard}) in a copy of the project with the built jar and a
 * stand-in Maven Wrapper that only notes each build: it runs the jar with a start-up cache it
 * makes once, makes it again when the jar changes, and rebuilds when a source is newer.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LauncherIT {

    @TempDir
    Path root;

    Path jar;
    Path source;

    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void copyOfTheProject() throws IOException {
        Path builtJar = Path.of(System.getProperty("switchboard.jar"));
        Path project = builtJar.getParent().getParent().getParent();
        Files.copy(project.resolve("switchboard"), root.resolve("switchboard"));
        Files.createDirectories(root.resolve("script"));
        Files.copy(project.resolve("script/find-java"), root.resolve("script/find-java"));
        jar = root.resolve("switchboard-cli/target/switchboard.jar");
        Files.createDirectories(jar.getParent());
        Files.copy(builtJar, jar);
        source = root.resolve("switchboard-core/src/main/java/dev/switchboard/io/Splice.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "// a source\n");
        for (Path pom : List.of(root.resolve("pom.xml"), root.resolve("switchboard-core/pom.xml"))) {
            Files.writeString(pom, "<project/>\n");
        }
        Path mvnw = root.resolve("mvnw");
        Files.writeString(mvnw, "#!/bin/sh\necho \"$*\" >>builds\ntouch switchboard-cli/target/switchboard.jar\n");
        assertThat(mvnw.toFile().setExecutable(true)).isTrue();
        // Sources first, then the jar: a build that is up to date.
        Instant hourAgo = Instant.now().minusSeconds(3600);
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.toList()) Files.setLastModifiedTime(f, FileTime.from(hourAgo));
        }
        Files.setLastModifiedTime(jar, FileTime.from(hourAgo.plusSeconds(60)));
    }

    Run launch(String extraJavaOptions, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(root.resolve("switchboard").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("SWITCHBOARD_JAVA_OPTS");
        if (extraJavaOptions != null) pb.environment().put("SWITCHBOARD_JAVA_OPTS", extraJavaOptions);
        return run(pb);
    }

    static Run run(ProcessBuilder pb) throws Exception {
        Process p = pb.start();
        StringBuilder err = new StringBuilder();
        Thread errDrain = Thread.ofVirtual().start(() -> p.errorReader(StandardCharsets.UTF_8).lines()
                .forEach(l -> err.append(l).append('\n')));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(150, TimeUnit.SECONDS)).isTrue();
        errDrain.join();
        return new Run(p.exitValue(), out, err.toString());
    }

    /**
     * Runs a connect against a server that greets; returns what it printed (stdout). Making
     * the cache, or using it, prints nothing of its own.
     */
    String connect(String extraJavaOptions) throws Exception {
        try (LoopbackServer server = new LoopbackServer(s -> s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII)))) {
            Run r = launch(extraJavaOptions, "connect", "127.0.0.1", "" + server.port());
            assertThat(r.exit()).as(r.err()).isZero();
            if (extraJavaOptions == null) assertThat(r.err()).isEmpty();
            return r.out();
        }
    }

    List<Path> caches() throws IOException {
        try (Stream<Path> files = Files.list(jar.getParent())) {
            return files.filter(f -> f.toString().endsWith(".aot") || f.toString().endsWith(".jsa")).toList();
        }
    }

    List<String> builds() throws IOException {
        Path log = root.resolve("builds");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    /**
     * Runs the launcher through sh with some of its standard streams closed ({@code <&-},
     * {@code >&-}): what a daemon or a careless script hands it.
     */
    Run launchClosed(String closing, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "exec \"$@\" " + closing, "sh",
                root.resolve("switchboard").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("SWITCHBOARD_JAVA_OPTS");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(150, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, err);
    }

    @Test
    void aClosedStdinReadsAsEmptyRatherThanAsTheJvmsOwnFiles() throws Exception {
        // The JVM's first open file takes a free descriptor 0: we sent its module image.
        try (LoopbackServer server = new LoopbackServer(s -> s.getOutputStream().write(
                ("got " + s.getInputStream().readAllBytes().length + " bytes\n").getBytes(StandardCharsets.US_ASCII)))) {
            Run r = launchClosed("<&-", "connect", "127.0.0.1", "" + server.port());
            assertThat(r).isEqualTo(new Run(0, "got 0 bytes\n", ""));
        }
    }

    @Test
    void aClosedStdoutDropsWhatThePeerSends() throws Exception {
        // Descriptor 1 was the JVM's module image; closing "stdout" at the peer's EOF crashed it.
        try (LoopbackServer server = new LoopbackServer(s -> s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII)))) {
            Run r = launchClosed("</dev/null >&-", "connect", "127.0.0.1", "" + server.port());
            assertThat(r).isEqualTo(new Run(0, "", ""));
        }
    }

    @Test
    void runsTheJarWithACacheMadeOnceAndUsed() throws Exception {
        assertThat(connect(null)).isEqualTo("hello\n");
        assertThat(builds()).isEmpty();
        assertThat(caches()).hasSize(1);
        Path cache = caches().get(0);
        FileTime made = Files.getLastModifiedTime(cache);

        // -Xlog:class+load names where each class came from: the cache says "shared objects file".
        String log = connect("-Xlog:class+load=info:stdout");
        assertThat(log).containsPattern("dev\\.switchboard\\.cli\\.Main source: shared objects file")
                .endsWith("hello\n");
        assertThat(caches()).containsExactly(cache);
        assertThat(Files.getLastModifiedTime(cache)).isEqualTo(made);
    }

    @Test
    void aJarNewerThanTheCacheGetsANewCache() throws Exception {
        connect(null);
        Path cache = caches().get(0);
        Files.setLastModifiedTime(cache, FileTime.from(Files.getLastModifiedTime(jar).toInstant().minusSeconds(10)));
        assertThat(connect(null)).isEqualTo("hello\n");
        assertThat(builds()).isEmpty();
        assertThat(caches()).containsExactly(cache);
        assertThat(Files.getLastModifiedTime(cache)).isGreaterThan(Files.getLastModifiedTime(jar));
    }

    @Test
    void aSourceOrPomNewerThanTheJarRebuildsOnce() throws Exception {
        assertThat(connect(null)).isEqualTo("hello\n");
        Files.setLastModifiedTime(source, FileTime.from(Instant.now()));
        assertThat(connect(null)).isEqualTo("hello\n");
        assertThat(builds()).hasSize(1).allMatch(b -> b.contains("package -pl switchboard-cli -am"));
        assertThat(connect(null)).isEqualTo("hello\n");
        assertThat(builds()).hasSize(1);

        Files.setLastModifiedTime(root.resolve("switchboard-core/pom.xml"), FileTime.from(Instant.now()));
        connect(null);
        assertThat(builds()).hasSize(2);
    }

    /**
     * SWITCHBOARD_JAVA_OPTS may pick the collector or turn class sharing off: the launcher's
     * own choices (the serial collector for a one-shot, the start-up cache) give way. The JVM
     * used to refuse to start ("Multiple garbage collectors selected", "Option AOTCache cannot
     * be used at the same time with -Xshare:off").
     */
    @Test
    void theUsersJavaOptionsWinOverTheLaunchers() throws Exception {
        assertThat(connect(null)).isEqualTo("hello\n");
        assertThat(caches()).hasSize(1);
        for (String options : List.of("-XX:+UseParallelGC", "-XX:+UseG1GC -Xmx64m", "-Xshare:off")) {
            assertThat(connect(options)).as(options).isEqualTo("hello\n");
        }
    }

    /**
     * A link to the launcher (in ~/bin, say) runs the checkout it points to, from any working
     * directory: the launcher used to look for script/find-java beside the link.
     */
    @Test
    void runsThroughASymlinkFromAnotherDirectory() throws Exception {
        Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
        Path bin = Files.createDirectories(elsewhere.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("switchboard"), root.resolve("switchboard"));
        // A relative link to that link, as `ln -s ../bin/switchboard` makes.
        Path links = Files.createDirectories(elsewhere.resolve("links"));
        Files.createSymbolicLink(links.resolve("sb"), Path.of("../bin/switchboard"));
        for (Path link : List.of(bin.resolve("switchboard"), links.resolve("sb"))) {
            try (LoopbackServer server = new LoopbackServer(s -> s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII)))) {
                ProcessBuilder pb = new ProcessBuilder(link.toString(), "connect", "127.0.0.1", "" + server.port())
                        .directory(elsewhere.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
                pb.environment().remove("SWITCHBOARD_JAVA_OPTS");
                Run r = run(pb);
                assertThat(r).as(link.toString()).isEqualTo(new Run(0, "hello\n", ""));
            }
        }
        assertThat(builds()).isEmpty();
    }

    /**
     * Two launchers started at once on a fresh clone (a script starting a server and a client,
     * say) build once, one after the other: both used to run Maven in the same target
     * directories at the same time, and one failed with a missing class file.
     */
    @Test
    void twoLaunchersAtOnceBuildOnce() throws Exception {
        // A build that takes a while and notes when another one runs at the same time.
        Files.writeString(root.resolve("mvnw"), """
                #!/bin/sh
                mkdir building 2>/dev/null || echo overlap >>builds
                sleep 2
                echo "$*" >>builds
                rmdir building 2>/dev/null
                touch switchboard-cli/target/switchboard.jar
                """);
        Files.setLastModifiedTime(source, FileTime.from(Instant.now()));
        List<java.util.concurrent.Future<Run>> runs = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 2; i++) runs.add(pool.submit(() -> launch(null, "--version")));
        }
        for (var run : runs) {
            assertThat(run.get().exit()).as(run.get().err()).isZero();
            assertThat(run.get().out()).startsWith("switchboard ");
        }
        assertThat(builds()).hasSize(1).allMatch(b -> b.contains("package -pl switchboard-cli -am"));
    }

    /**
     * Runs the launcher as a user who cannot write the checkout: nobody when the tests run as
     * root (who writes anywhere), else this user with the checkout's directories made
     * read-only.
     */
    Run launchReadOnly(String... args) throws Exception {
        List<Path> dirs = List.of(root, root.resolve("switchboard-cli"), jar.getParent());
        Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> command = new ArrayList<>();
        boolean asRoot = "root".equals(System.getProperty("user.name"));
        if (asRoot) command.addAll(List.of("runuser", "-u", "nobody", "--"));
        command.addAll(List.of("env", "JAVA_HOME=" + System.getProperty("java.home"), root.resolve("switchboard").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(new File("/"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().remove("SWITCHBOARD_JAVA_OPTS");
        try {
            if (!asRoot) for (Path d : dirs) if (Files.isDirectory(d)) assertThat(d.toFile().setWritable(false, false)).isTrue();
            return run(pb);
        } finally {
            if (!asRoot) for (Path d : dirs) if (Files.isDirectory(d)) d.toFile().setWritable(true, true);
        }
    }

    /**
     * A checkout the user cannot write (another user's, a read-only mount) whose sources are
     * newer than its jar runs that jar, saying so in one line; one never built says in one
     * line that it can't be built there. Both used to try Maven and fail with its log.
     */
    @Test
    void aReadOnlyCheckoutRunsItsJarOrSaysWhyNot() throws Exception {
        Files.setLastModifiedTime(source, FileTime.from(Instant.now()));
        Run stale = launchReadOnly("--version");
        assertThat(stale.exit()).as(stale.err()).isZero();
        assertThat(stale.out()).startsWith("switchboard ");
        assertThat(stale.err()).isEqualTo("switchboard: a source is newer than the jar, but " + root.toRealPath()
                + "/switchboard-cli/target cannot be written: running the jar as it is\n");
        assertThat(caches()).isEmpty();

        Files.delete(jar);
        Run unbuilt = launchReadOnly("--version");
        assertThat(unbuilt).isEqualTo(new Run(1, "", "switchboard: not built yet, and " + root.toRealPath()
                + "/switchboard-cli/target cannot be written: run ./switchboard once as a user who can\n"));
        assertThat(builds()).isEmpty();
    }

    @Test
    void aNewSourceFileRebuilds() throws Exception {
        connect(null);
        Path added = source.resolveSibling("sub/Added.java");
        Files.createDirectories(added.getParent());
        Files.writeString(added, "// new\n");
        connect(null);
        assertThat(builds()).hasSize(1);
    }
}
