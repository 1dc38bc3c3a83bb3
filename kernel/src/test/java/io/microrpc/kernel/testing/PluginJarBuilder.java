package io.microrpc.kernel.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Builds real PF4J plugin JARs in tests from classes of the test class path (a folder, or the kernel's
 * test JAR): the class files (with their nested classes), a manifest with Plugin-Id/Version/Requires,
 * and META-INF/extensions.idx listing the extension classes, as the pf4j annotation processor would.
 * Not thread-safe.
 */
public final class PluginJarBuilder {

    private final String id;
    private String version = "1.0.0";
    private String requires = ">=0.1.0";
    private Class<?> pluginClass;
    private final List<Class<?>> extensions = new ArrayList<>();
    private final List<Class<?>> classes = new ArrayList<>();
    private final Map<String, byte[]> resources = new LinkedHashMap<>();

    private PluginJarBuilder(String id) {
        this.id = id;
    }

    public static PluginJarBuilder plugin(String id) {
        return new PluginJarBuilder(id);
    }

    public PluginJarBuilder version(String v) {
        this.version = v;
        return this;
    }

    public PluginJarBuilder requires(String r) {
        this.requires = r;
        return this;
    }

    /** An extension class: packaged and listed in extensions.idx. */
    public PluginJarBuilder extension(Class<?> c) {
        extensions.add(c);
        return this;
    }

    /** The PF4J {@code Plugin} class (manifest {@code Plugin-Class}), packaged; PF4J's default one without it. */
    public PluginJarBuilder pluginClass(Class<?> c) {
        this.pluginClass = c;
        return this;
    }

    /** A helper class packaged without being an extension. */
    public PluginJarBuilder withClass(Class<?> c) {
        classes.add(c);
        return this;
    }

    public PluginJarBuilder resource(String name, String content) {
        return resource(name, content.getBytes(StandardCharsets.UTF_8));
    }

    public PluginJarBuilder resource(String name, byte[] content) {
        resources.put(name, content.clone());
        return this;
    }

    /** The JAR's bytes. */
    public byte[] bytes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (id != null) {
            a.putValue("Plugin-Id", id);
            a.putValue("Plugin-Version", version);
        }
        a.putValue("Plugin-Requires", requires);
        if (pluginClass != null) {
            a.putValue("Plugin-Class", pluginClass.getName());
        }
        try (JarOutputStream jar = new JarOutputStream(bytes, m)) {
            StringBuilder idx = new StringBuilder();
            for (Class<?> c : extensions) {
                idx.append(c.getName()).append('\n');
            }
            put(jar, "META-INF/extensions.idx", idx.toString().getBytes(StandardCharsets.UTF_8));
            List<Class<?>> all = new ArrayList<>(extensions);
            all.addAll(classes);
            if (pluginClass != null) {
                all.add(pluginClass);
            }
            for (Class<?> c : all) {
                for (Map.Entry<String, byte[]> e : classFiles(c).entrySet()) {
                    put(jar, e.getKey(), e.getValue());
                }
            }
            for (Map.Entry<String, byte[]> e : resources.entrySet()) {
                put(jar, e.getKey(), e.getValue());
            }
        }
        return bytes.toByteArray();
    }

    /** Writes the JAR as {@code dir/fileName} atomically (temp file, then rename), as an operator should. */
    public Path writeTo(Path dir, String fileName) throws IOException {
        Path tmp = dir.resolve(fileName + ".tmp");
        Files.write(tmp, bytes());
        return Files.move(
                tmp, dir.resolve(fileName), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes the JAR slowly, in {@code chunks} pieces, calling {@code between} after each piece. */
    public Path writeSlowly(Path dir, String fileName, int chunks, Runnable between) throws IOException {
        return writeSlowly(bytes(), dir.resolve(fileName), chunks, between);
    }

    /** Writes {@code data} to {@code target} in {@code chunks} pieces, calling {@code between} after each (a slow, non-atomic {@code cp}). */
    public static Path writeSlowly(byte[] data, Path target, int chunks, Runnable between) throws IOException {
        try (OutputStream out = Files.newOutputStream(target)) {
            int step = Math.max(1, data.length / chunks);
            for (int off = 0; off < data.length; off += step) {
                out.write(data, off, Math.min(step, data.length - off));
                out.flush();
                between.run();
            }
        }
        return target;
    }

    private static void put(JarOutputStream jar, String name, byte[] data) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        jar.write(data);
        jar.closeEntry();
    }

    private static Map<String, byte[]> classFiles(Class<?> c) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        String path = c.getName().replace('.', '/') + ".class";
        Path file;
        try {
            URI uri = c.getClassLoader().getResource(path).toURI();
            if (uri.getScheme().equals("jar")) {
                // From the kernel's test JAR (the dist module's tests): read it as a file system.
                try {
                    FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException e) {
                    // opened by an earlier call
                }
            }
            file = Path.of(uri);
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        String simple = file.getFileName().toString().replace(".class", "");
        try (Stream<Path> siblings = Files.list(file.getParent())) {
            for (Path p : (Iterable<Path>) siblings::iterator) {
                String n = p.getFileName().toString();
                if (n.equals(simple + ".class") || n.startsWith(simple + "$")) {
                    String entry = path.substring(0, path.lastIndexOf('/') + 1) + n;
                    try (InputStream in = Files.newInputStream(p)) {
                        out.put(entry, in.readAllBytes());
                    }
                }
            }
        }
        return out;
    }
}
