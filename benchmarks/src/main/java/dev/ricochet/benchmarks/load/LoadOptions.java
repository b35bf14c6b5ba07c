package dev.ricochet.benchmarks.load;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The load harness's command line: where to send, what, how hard and for how long.
 */
final class LoadOptions
{
    static final String USAGE = """
        usage: LoadHarness [options]
          --url URL               target edge (default http://127.0.0.1:8080)
          --connections N         keep-alive connections, one request in flight on each (default 64)
          --duration D            measured time, e.g. 10s, 500ms, 2m (default 10s)
          --warmup D              sent and checked but not recorded (default 3s)
          --mode closed|open      closed: next request as soon as the answer arrives (default);
                                  open: constant --rate, latency from each request's intended send time
          --rate R                open loop: total requests/s, spread evenly over the connections
          --workload W            redirect (default), pixel, mixed (95% redirect, 4% pixel, 1% Stripe
                                  conversion), static-redirect, static-pixel (same requests to a stand-in
                                  answering a fixed 302 / GIF, e.g. nginx return 302 / empty_gif)
          --links C[=DEST],...    link codes, each optionally with its destination
          --links-file F          one link per line: CODE [DESTINATION [CLICK_PARAM]] (BenchmarkCatalog writes it)
          --click-param P         click id parameter of links without their own (default rcid)
          --admin-url URL         look up destinations of links given without one (GET /v1/links/{code})
          --admin-token T         bearer token for --admin-url
          --stripe-program ID     program whose Stripe webhook takes the mixed workload's conversions
          --stripe-secret S       that program's secrets.stripe (whsec_...), to sign them
          --stripe-currency C     currency of the checkouts (default usd; must be the program's)
          --new-visitors F        share of browser requests sent without a visitor cookie (default 0.1)
          --timeout D             per request, and for a request waiting to be sent (default 5s)
          --threads T             client event loops (default 1: the client shares the cores with the server)
          --json FILE             write the report as JSON
          --hgrm FILE             write HdrHistogram's percentile distribution (us) for plotting
          --seed N                random seed for link, cookie and mix choices (default 1)
          --help                  this text

        Every response is checked; a run with any error prints NOT A RESULT and exits 1.
        Exit status: 0 a result, 1 not a result, 2 bad options or target unreachable.
        """;

    private String url = "http://127.0.0.1:8080";
    private String host = "127.0.0.1";
    private int port = 8080;
    private int connections = 64;
    private long durationNs = TimeUnit.SECONDS.toNanos(10);
    private long warmupNs = TimeUnit.SECONDS.toNanos(3);
    private boolean isOpenLoop;
    private double rate;
    private Workload workload = Workload.REDIRECT;
    private String links;
    private Path linksFile;
    private String clickParam = "rcid";
    private String adminUrl;
    private String adminToken;
    private String stripeProgram;
    private String stripeSecret;
    private String stripeCurrency = "usd";
    private double newVisitorShare = 0.1;
    private long timeoutNs = TimeUnit.SECONDS.toNanos(5);
    private int threads = 1;
    private Path json;
    private Path hgrm;
    private long seed = 1;
    private boolean isHelp;

    private LoadOptions()
    {
    }

    /**
     * @param args command line, {@code --name value} or {@code --name=value}.
     * @return the validated options.
     * @throws IllegalArgumentException naming the option that is wrong.
     */
    static LoadOptions parse(final String... args)
    {
        final LoadOptions options = new LoadOptions();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if ("--help".equals(arg) || "-h".equals(arg))
            {
                options.isHelp = true;
                continue;
            }
            if (!arg.startsWith("--"))
            {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            final int equals = arg.indexOf('=');
            final String name = equals < 0 ? arg : arg.substring(0, equals);
            final String value;
            if (equals >= 0)
            {
                value = arg.substring(equals + 1);
            }
            else if (i + 1 < args.length)
            {
                value = args[++i];
            }
            else
            {
                throw new IllegalArgumentException(name + " needs a value");
            }
            options.set(name, value);
        }
        if (!options.isHelp)
        {
            options.validate();
        }
        return options;
    }

    private void set(final String name, final String value)
    {
        switch (name)
        {
            case "--url" -> url = value;
            case "--connections" -> connections = positiveInt(name, value);
            case "--duration" -> durationNs = durationNs(name, value);
            case "--warmup" -> warmupNs = durationNs(name, value);
            case "--mode" -> isOpenLoop = switch (value)
            {
                case "open" -> true;
                case "closed" -> false;
                default -> throw new IllegalArgumentException("--mode must be closed or open, not '" + value + "'");
            };
            case "--rate" -> rate = positiveDouble(name, value);
            case "--workload" -> workload = Workload.of(value);
            case "--links" -> links = value;
            case "--links-file" -> linksFile = Path.of(value);
            case "--click-param" -> clickParam = value;
            case "--admin-url" -> adminUrl = value;
            case "--admin-token" -> adminToken = value;
            case "--stripe-program" -> stripeProgram = value;
            case "--stripe-secret" -> stripeSecret = value;
            case "--stripe-currency" -> stripeCurrency = value.toLowerCase(Locale.ROOT);
            case "--new-visitors" -> newVisitorShare = share(name, value);
            case "--timeout" -> timeoutNs = durationNs(name, value);
            case "--threads" -> threads = positiveInt(name, value);
            case "--json" -> json = Path.of(value);
            case "--hgrm" -> hgrm = Path.of(value);
            case "--seed" -> seed = Long.parseLong(value);
            default -> throw new IllegalArgumentException("unknown option " + name);
        }
    }

    private void validate()
    {
        final URI uri;
        try
        {
            uri = URI.create(url);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--url is not a URL: " + url, ex);
        }
        if (!"http".equals(uri.getScheme()) || null == uri.getHost())
        {
            throw new IllegalArgumentException("--url must be http://host[:port], not '" + url + "'");
        }
        host = uri.getHost();
        port = uri.getPort() < 0 ? 80 : uri.getPort();
        if (isOpenLoop && rate <= 0)
        {
            throw new IllegalArgumentException("--mode open needs --rate (total requests/s)");
        }
        if (!isOpenLoop && rate > 0)
        {
            throw new IllegalArgumentException("--rate applies to --mode open only");
        }
        if (durationNs <= 0)
        {
            throw new IllegalArgumentException("--duration must be above zero");
        }
        // A stand-in answers any path and the pixel needs no link, so only real redirects need real codes.
        if (null == links && null == linksFile && workload.sendsRedirects() && !workload.isStatic())
        {
            throw new IllegalArgumentException("--workload " + workload.label() + " needs --links or --links-file");
        }
        if (null != links && null != linksFile)
        {
            throw new IllegalArgumentException("give --links or --links-file, not both");
        }
        if (Workload.MIXED == workload && (null == stripeProgram || null == stripeSecret))
        {
            throw new IllegalArgumentException("--workload mixed needs --stripe-program and --stripe-secret");
        }
        if ((null == adminUrl) != (null == adminToken))
        {
            throw new IllegalArgumentException("--admin-url and --admin-token go together");
        }
    }

    /**
     * @param name  option, for the message.
     * @param value e.g. {@code 10s}, {@code 500ms}, {@code 250us}, {@code 2m}, {@code 1.5s}; a bare number is seconds.
     * @return nanoseconds.
     */
    static long durationNs(final String name, final String value)
    {
        final String text = value.trim().toLowerCase(Locale.ROOT);
        int end = text.length();
        while (end > 0 && Character.isLetter(text.charAt(end - 1)))
        {
            end--;
        }
        final double number;
        try
        {
            number = Double.parseDouble(text.substring(0, end));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + " is not a duration: '" + value + "'", ex);
        }
        final double unitNs = switch (text.substring(end))
        {
            case "ns" -> 1;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "", "s" -> 1e9;
            case "m" -> 60e9;
            default -> throw new IllegalArgumentException(
                name + ": unknown unit in '" + value + "' (ns, us, ms, s, m)");
        };
        if (number < 0)
        {
            throw new IllegalArgumentException(name + " must not be negative");
        }
        return Math.round(number * unitNs);
    }

    private static int positiveInt(final String name, final String value)
    {
        final int parsed;
        try
        {
            parsed = Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + " is not a number: '" + value + "'", ex);
        }
        if (parsed < 1)
        {
            throw new IllegalArgumentException(name + " must be at least 1");
        }
        return parsed;
    }

    private static double positiveDouble(final String name, final String value)
    {
        final double parsed;
        try
        {
            parsed = Double.parseDouble(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + " is not a number: '" + value + "'", ex);
        }
        if (!(parsed > 0) || Double.isInfinite(parsed))
        {
            throw new IllegalArgumentException(name + " must be above zero");
        }
        return parsed;
    }

    private static double share(final String name, final String value)
    {
        final double parsed;
        try
        {
            parsed = Double.parseDouble(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + " is not a number: '" + value + "'", ex);
        }
        if (!(parsed >= 0 && parsed <= 1))
        {
            throw new IllegalArgumentException(name + " must be between 0 and 1");
        }
        return parsed;
    }

    String url()
    {
        return url;
    }

    String host()
    {
        return host;
    }

    int port()
    {
        return port;
    }

    int connections()
    {
        return connections;
    }

    long durationNs()
    {
        return durationNs;
    }

    long warmupNs()
    {
        return warmupNs;
    }

    boolean isOpenLoop()
    {
        return isOpenLoop;
    }

    double rate()
    {
        return rate;
    }

    Workload workload()
    {
        return workload;
    }

    String links()
    {
        return links;
    }

    Path linksFile()
    {
        return linksFile;
    }

    String clickParam()
    {
        return clickParam;
    }

    String adminUrl()
    {
        return adminUrl;
    }

    String adminToken()
    {
        return adminToken;
    }

    String stripeProgram()
    {
        return stripeProgram;
    }

    String stripeSecret()
    {
        return stripeSecret;
    }

    String stripeCurrency()
    {
        return stripeCurrency;
    }

    double newVisitorShare()
    {
        return newVisitorShare;
    }

    long timeoutNs()
    {
        return timeoutNs;
    }

    int threads()
    {
        return threads;
    }

    Path json()
    {
        return json;
    }

    Path hgrm()
    {
        return hgrm;
    }

    long seed()
    {
        return seed;
    }

    boolean isHelp()
    {
        return isHelp;
    }
}
