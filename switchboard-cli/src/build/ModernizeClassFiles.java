import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A build step (run by Maven on JDK 24 and later, as a single-file program): rewrites the
 * class files in a jar that are older than Java 6 (picocli's are Java 5) as Java 8 class
 * files with stack maps. The JVM's class-data-sharing archive skips pre-Java 6 classes, so
 * without this every start of the tool loads and verifies picocli's ~230 classes from the
 * jar with the old verifier; with it they come from the archive and a one-shot command
 * starts about a quarter faster. The bytecode itself is unchanged.
 *
 * Usage: java ModernizeClassFiles.java JAR
 */
public class ModernizeClassFiles {

    private static final int JAVA_6 = 50;
    private static final int JAVA_8 = 52;

    public static void main(String[] args) throws IOException {
        Path jar = Path.of(args[0]);
        Path rewritten = jar.resolveSibling(jar.getFileName() + ".tmp");
        int count = 0;
        try (URLClassLoader jarClasses = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
             ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(rewritten))) {
            // Stack maps need the class hierarchy: the JDK's classes, then the jar's own.
            ClassFile classFiles = ClassFile.of(
                    ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                            .orElse(ClassHierarchyResolver.ofResourceParsing(jarClasses))),
                    ClassFile.StackMapsOption.GENERATE_STACK_MAPS);
            ClassTransform newVersion = (builder, element) -> {
                if (element instanceof ClassFileVersion) builder.withVersion(JAVA_8, 0);
                else builder.with(element);
            };
            // Rebuilding every method body is what makes the library emit the stack maps.
            ClassTransform upgrade = newVersion.andThen(ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL));
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                byte[] bytes = in.readAllBytes();
                if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
                    ClassModel model = classFiles.parse(bytes);
                    if (model.majorVersion() < JAVA_6) {
                        bytes = classFiles.transformClass(model, upgrade);
                        count++;
                    }
                }
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
        }
        Files.move(rewritten, jar, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("modernized " + count + " pre-Java 6 class files in " + jar.getFileName());
    }
}
