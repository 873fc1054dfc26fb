package dev.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The lab's self-contained HTML page: a bar chart of rates and a latency percentile plot
 * (inline SVG, no scripts, nothing fetched), the table, the machine and the exact command.
 */
public final class LabReport {

    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
    private static final int W = 640;

    private LabReport() {
    }

    public static void write(Path file, List<ModelScore> scores, Mode mode, String command) throws IOException {
        Files.writeString(file, html(scores, mode, command));
    }

    static String html(List<ModelScore> scores, Mode mode, String command) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>switchboard model lab</title><style>")
                .append("body{font-family:sans-serif;max-width:720px;margin:2em auto;color:#222}")
                .append("pre{background:#f4f4f4;padding:.6em;overflow-x:auto}svg text{font-size:12px}")
                .append("</style></head><body>\n<h1>switchboard model lab: ").append(esc(mode.label()))
                .append("</h1>\n<h2>Rate (").append(esc(mode.unit())).append(")</h2>\n")
                .append(bars(scores))
                .append("<h2>Latency by percentile</h2>\n").append(percentiles(scores))
                .append("<h2>Table</h2>\n<pre>").append(esc(LabFormat.table(scores, mode))).append("</pre>\n")
                .append("<h2>Machine</h2>\n<pre>").append(esc(machine())).append("</pre>\n")
                .append("<h2>Command</h2>\n<pre>").append(esc(command)).append("</pre>\n</body></html>\n");
        return b.toString();
    }

    private static String bars(List<ModelScore> scores) {
        int row = 28;
        int h = scores.size() * row + 10;
        double max = scores.stream().mapToDouble(ModelScore::rate).max().orElse(0);
        StringBuilder b = svgOpen(h);
        for (int i = 0; i < scores.size(); i++) {
            ModelScore s = scores.get(i);
            int y = 5 + i * row;
            double w = max > 0 ? (W - 220) * s.rate() / max : 0;
            b.append(text(5, y + 17, s.model(), "start"));
            b.append(String.format(Locale.ROOT, "<rect x=\"90\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"%s\"/>",
                    y, w, COLORS[i % COLORS.length]));
            String label = s.failure() != null ? "failed" : ResultFormat.num(s.rate())
                    + String.format(Locale.ROOT, " (%.2f)", s.ratio());
            b.append(text(95 + w, y + 15, label, "start"));
        }
        return b.append("</svg>\n").toString();
    }

    /** Latency (log scale) against percentile on the usual 1/(1-p) axis: 0, 90, 99, 99.9, 99.99. */
    private static String percentiles(List<ModelScore> scores) {
        int h = 300;
        int left = 60;
        int right = W - 120;
        int top = 10;
        int bottom = h - 30;
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (ModelScore s : scores) {
            if (s.latency().getTotalCount() > 0) {
                lo = Math.min(lo, Math.max(1, s.latency().getMinValue() / 1e3));
                hi = Math.max(hi, s.latency().getMaxValue() / 1e3);
            }
        }
        StringBuilder b = svgOpen(h);
        if (hi == 0) {
            return b.append(text(W / 2.0, h / 2.0, "no latencies measured", "middle")).append("</svg>\n").toString();
        }
        double yLo = Math.floor(Math.log10(lo));
        double yHi = Math.max(yLo + 1, Math.ceil(Math.log10(hi)));
        b.append(String.format(Locale.ROOT, "<path d=\"M%d %d V%d H%d\" stroke=\"#444\" fill=\"none\"/>", left, top, bottom, right));
        for (int k = 0; k <= 4; k++) {
            double x = left + (right - left) * k / 4.0;
            b.append(text(x, bottom + 16, new String[] {"0%", "90%", "99%", "99.9%", "99.99%"}[k], "middle"));
        }
        for (double e = yLo; e <= yHi; e++) {
            double y = bottom - (bottom - top) * (e - yLo) / (yHi - yLo);
            b.append(text(left - 4, y + 4, decade((int) e), "end"));
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>",
                    left, right, y, y));
        }
        for (int i = 0; i < scores.size(); i++) {
            ModelScore s = scores.get(i);
            if (s.latency().getTotalCount() == 0) {
                continue;
            }
            StringBuilder pts = new StringBuilder();
            for (int k = 0; k <= 40; k++) {
                double p = 100 * (1 - Math.pow(10, -k / 10.0));
                double us = Math.max(Math.pow(10, yLo), s.latency().getValueAtPercentile(p) / 1e3);
                double x = left + (right - left) * k / 40.0;
                double y = bottom - (bottom - top) * (Math.log10(us) - yLo) / (yHi - yLo);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            String color = COLORS[i % COLORS.length];
            b.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(color).append("\" points=\"")
                    .append(pts.toString().strip()).append("\"><title>").append(esc(s.model())).append("</title></polyline>");
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>",
                    right + 10, top + i * 18, color));
            b.append(text(right + 28, top + i * 18 + 11, s.model(), "start"));
        }
        return b.append("</svg>\n").toString();
    }

    /** A power of ten microseconds as an axis label: 1us, 10us, 100us, 1ms, ..., 100s. */
    static String decade(int exponent) {
        String[] units = {"us", "ms", "s"};
        int unit = Math.min(2, Math.max(0, exponent / 3));
        long value = (long) Math.pow(10, exponent - 3 * unit);
        return value + units[unit];
    }

    static String machine() {
        String cpu = "unknown";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // Not Linux: the model name stays unknown.
        }
        return "cores: " + Runtime.getRuntime().availableProcessors() + " (" + cpu + ")\n"
                + "JDK:   " + System.getProperty("java.vm.name") + " " + Runtime.version() + "\n"
                + "OS:    " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + "\n";
    }

    private static StringBuilder svgOpen(int h) {
        return new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">", W, h, W, h));
    }

    private static String text(double x, double y, String s, String anchor) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>", x, y, anchor, esc(s));
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
