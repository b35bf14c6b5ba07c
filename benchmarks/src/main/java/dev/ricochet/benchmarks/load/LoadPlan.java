package dev.ricochet.benchmarks.load;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Everything a run sends, prepared before the first request and shared read-only by the event loops: options,
 * links with what their redirects must answer, encoded request parts, and the mixed workload's order of kinds.
 */
final class LoadPlan
{
    /**
     * Link code sent to a stand-in target when no links are given: it answers any path the same.
     */
    static final String STATIC_LINK_CODE = "static";

    private final LoadOptions options;
    private final LinkTarget[] links;
    private final RequestTemplates templates;
    private final RequestKind[] mix;
    private final String runId;
    private final String hostHeader;

    private LoadPlan(final LoadOptions options, final List<LinkTarget> links)
    {
        this.options = options;
        this.links = links.toArray(new LinkTarget[0]);
        this.hostHeader = options.host() + (80 == options.port() ? "" : ":" + options.port());
        this.templates = new RequestTemplates(hostHeader, links);
        this.mix = mix(options.workload());
        // Order ids must not repeat across runs against the same service, or conversions answer "duplicate".
        this.runId = Long.toString(new SecureRandom().nextLong() >>> 1, 36);
    }

    /**
     * @param options the run's options.
     * @return the plan, links loaded and, if asked, resolved over the admin API.
     * @throws IOException          if the links file or the admin API cannot be read.
     * @throws InterruptedException if interrupted while asking the admin API.
     */
    static LoadPlan prepare(final LoadOptions options) throws IOException, InterruptedException
    {
        List<LinkTarget> links;
        if (null != options.linksFile())
        {
            links = LinkTarget.readFile(options.linksFile(), options.clickParam());
        }
        else if (null != options.links())
        {
            links = LinkTarget.parseList(options.links(), options.clickParam());
        }
        else
        {
            links = List.of(new LinkTarget(0, STATIC_LINK_CODE, null, options.clickParam()));
        }

        if (!options.workload().isStatic() && options.workload().sendsRedirects())
        {
            if (null != options.adminUrl())
            {
                links = LinkTarget.resolve(links, new AdminApiClient(options.adminUrl(), options.adminToken()));
            }
            for (final LinkTarget link : links)
            {
                if (null == link.destination())
                {
                    throw new IllegalArgumentException("link '" + link.code() + "' has no destination to check " +
                        "its Location against: give --links CODE=DESTINATION, a --links-file with destinations, " +
                        "or --admin-url and --admin-token to look them up");
                }
            }
        }
        return new LoadPlan(options, links);
    }

    private static RequestKind[] mix(final Workload workload)
    {
        final List<RequestKind> kinds = new ArrayList<>(100);
        switch (workload)
        {
            case REDIRECT, STATIC_REDIRECT -> kinds.add(RequestKind.REDIRECT);
            case PIXEL, STATIC_PIXEL -> kinds.add(RequestKind.PIXEL);
            case MIXED ->
            {
                // Exact proportions, not coin flips: every 100 requests of a loop hold exactly 4 pixels, 1 conversion.
                for (int i = 0; i < Workload.MIXED_PIXELS_PER_100; i++)
                {
                    kinds.add(RequestKind.PIXEL);
                }
                for (int i = 0; i < Workload.MIXED_CONVERSIONS_PER_100; i++)
                {
                    kinds.add(RequestKind.CONVERSION);
                }
                while (kinds.size() < 100)
                {
                    kinds.add(RequestKind.REDIRECT);
                }
                Collections.shuffle(kinds, new Random(100));
            }
            default -> throw new IllegalStateException(workload.name());
        }
        return kinds.toArray(new RequestKind[0]);
    }

    LoadOptions options()
    {
        return options;
    }

    LinkTarget[] links()
    {
        return links;
    }

    RequestTemplates templates()
    {
        return templates;
    }

    RequestKind[] mix()
    {
        return mix;
    }

    String runId()
    {
        return runId;
    }

    String hostHeader()
    {
        return hostHeader;
    }
}
