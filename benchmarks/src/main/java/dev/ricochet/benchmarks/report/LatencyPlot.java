package dev.ricochet.benchmarks.report;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * Draws latency-by-percentile curves as a self-contained SVG, the way HdrHistogram's plotter does: percentiles on
 * a log scale of 1/(1-p), so the tail gets the room it deserves, latency on a log scale.
 */
final class LatencyPlot
{
    /**
     * One curve: points of [percentile, latency µs].
     */
    record Series(String label, boolean isRicochet, int loadPercent, List<double[]> points)
    {
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;
    private static final int LEFT = 70;
    private static final int RIGHT = 230;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
    private static final double MAX_NINES = 5; // up to 99.999%
    private static final double MIN_US = 10;
    private static final double MAX_US = 1_000_000;

    private LatencyPlot()
    {
    }

    static String svg(final List<Series> series)
    {
        final StringBuilder svg = new StringBuilder(64 * 1024);
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
            .append(HEIGHT).append("\" font-family=\"sans-serif\" font-size=\"12\">\n")
            .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n")
            .append("<text x=\"").append(LEFT).append("\" y=\"22\" font-size=\"15\">Redirect latency by percentile ")
            .append("(open loop, from intended send time): Ricochet solid, nginx dashed</text>\n");
        for (int nines = 0; nines <= MAX_NINES; nines++)
        {
            final double x = x(1 - Math.pow(10, -nines));
            final String label = 0 == nines ? "0%" : String.format(Locale.ROOT, "%s%%",
                stripZeros(100 * (1 - Math.pow(10, -nines))));
            svg.append(line(x, TOP, x, HEIGHT - BOTTOM, "#ddd", false))
                .append(text(x, HEIGHT - BOTTOM + 18, label, "middle"));
        }
        for (double us = MIN_US; us <= MAX_US; us *= 10)
        {
            final double y = y(us);
            svg.append(line(LEFT, y, WIDTH - RIGHT, y, "#ddd", false))
                .append(text(LEFT - 6, y + 4, us >= 1000 ? stripZeros(us / 1000) + " ms" : stripZeros(us) + " µs",
                    "end"));
        }
        svg.append(text((LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 18, "percentile", "middle"));
        final String[] colours = {"#1b9e77", "#d95f02", "#7570b3"};
        int legend = 0;
        for (final Series curve : series)
        {
            if (curve.points().isEmpty())
            {
                continue;
            }
            final String colour = colours[curve.loadPercent() <= 50 ? 0 : curve.loadPercent() <= 75 ? 1 : 2];
            final StringBuilder path = new StringBuilder();
            for (final double[] point : curve.points())
            {
                final double percentile = Math.min(point[0] / 100, 1 - Math.pow(10, -MAX_NINES));
                path.append(path.length() == 0 ? "M" : " L").append(fmt(x(percentile))).append(',')
                    .append(fmt(y(Math.max(MIN_US, Math.min(MAX_US, point[1])))));
            }
            svg.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(colour)
                .append("\" stroke-width=\"2\"").append(curve.isRicochet() ? "" : " stroke-dasharray=\"6,4\"")
                .append("/>\n");
            final double ly = TOP + 10 + 20 * legend++;
            svg.append(line(WIDTH - RIGHT + 12, ly, WIDTH - RIGHT + 42, ly, colour, !curve.isRicochet()))
                .append(text(WIDTH - RIGHT + 48, ly + 4, curve.label(), "start"));
        }
        return svg.append("</svg>\n").toString();
    }

    private static double x(final double percentile)
    {
        final double nines = -Math.log10(Math.max(1 - percentile, Math.pow(10, -MAX_NINES)));
        return LEFT + (WIDTH - LEFT - RIGHT) * nines / MAX_NINES;
    }

    private static double y(final double us)
    {
        final double span = Math.log10(MAX_US) - Math.log10(MIN_US);
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * (Math.log10(us) - Math.log10(MIN_US)) / span;
    }

    private static String line(
        final double x1, final double y1, final double x2, final double y2, final String colour, final boolean dashed)
    {
        return "<line x1=\"" + fmt(x1) + "\" y1=\"" + fmt(y1) + "\" x2=\"" + fmt(x2) + "\" y2=\"" + fmt(y2) +
            "\" stroke=\"" + colour + "\"" + (dashed ? " stroke-dasharray=\"6,4\" stroke-width=\"2\"" : "") + "/>\n";
    }

    private static String text(final double x, final double y, final String text, final String anchor)
    {
        return "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" text-anchor=\"" + anchor + "\">" +
            text.replace("&", "&amp;").replace("<", "&lt;") + "</text>\n";
    }

    private static String fmt(final double value)
    {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static String stripZeros(final double value)
    {
        return new BigDecimal(String.format(Locale.ROOT, "%.4f", value)).stripTrailingZeros().toPlainString();
    }
}
