package dev.ricochet.ops;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README is a front page and the docs are one web of pages: every relative link in them reaches a file, and a
 * heading where it names one. Reads the files of the checkout (tests run in {@code ops/}).
 */
class DocsLinksTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final long README_MAX_BYTES = 10 * 1024;
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)\\)");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`]*`");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*$");

    @Test
    void keepsTheReadmeAFrontPageOfAtMostTenKilobytes() throws IOException
    {
        final long size = Files.size(ROOT.resolve("README.md"));

        assertTrue(size <= README_MAX_BYTES, "README.md is " + size + " bytes; move detail into docs/");
    }

    @Test
    void linksEveryDocsPageFromTheReadme() throws IOException
    {
        final Set<Path> linked = new TreeSet<>();
        for (final String target : links(ROOT.resolve("README.md")))
        {
            linked.add(ROOT.resolve(fileOf(target)).normalize());
        }
        final List<String> unlinked = new ArrayList<>();
        for (final Path page : docsPages())
        {
            if (!linked.contains(page))
            {
                unlinked.add(ROOT.relativize(page).toString());
            }
        }

        assertEquals(List.of(), unlinked, "docs pages the README does not link");
    }

    @Test
    void resolvesEveryRelativeLinkToAFile() throws IOException
    {
        final List<String> broken = new ArrayList<>();
        for (final Path page : pagesChecked())
        {
            for (final String target : links(page))
            {
                final Path file = page.getParent().resolve(fileOf(target)).normalize();
                if (!Files.exists(file))
                {
                    broken.add(ROOT.relativize(page) + ": " + target);
                }
            }
        }

        assertEquals(List.of(), broken, "links to files that do not exist");
    }

    @Test
    void resolvesEveryLinkToAHeadingToAHeadingOfItsPage() throws IOException
    {
        final Map<Path, Set<String>> anchorsByPage = new HashMap<>();
        final List<String> broken = new ArrayList<>();
        for (final Path page : pagesChecked())
        {
            for (final String target : links(page))
            {
                final int hash = target.indexOf('#');
                final Path file = page.getParent().resolve(fileOf(target)).normalize();
                if (hash < 0 || !file.toString().endsWith(".md") || !Files.exists(file))
                {
                    continue;
                }
                final Set<String> anchors = anchorsByPage.computeIfAbsent(file, DocsLinksTest::anchors);
                if (!anchors.contains(target.substring(hash + 1)))
                {
                    broken.add(ROOT.relativize(page) + ": " + target);
                }
            }
        }

        assertEquals(List.of(), broken, "links to headings that do not exist");
    }

    @Test
    void findsTheLinksItChecks() throws IOException
    {
        // A pattern that matched nothing would make every other test pass on no links at all.
        assertFalse(links(ROOT.resolve("README.md")).isEmpty());
        assertFalse(docsPages().isEmpty());
    }

    private static List<Path> pagesChecked() throws IOException
    {
        final List<Path> pages = new ArrayList<>(docsPages());
        pages.add(ROOT.resolve("README.md"));
        pages.add(ROOT.resolve("ops/CONFIGURATION.md"));
        pages.add(ROOT.resolve("benchmarks/README.md"));
        pages.add(ROOT.resolve("benchmarks/results/HISTORY.md"));
        return pages;
    }

    private static List<Path> docsPages() throws IOException
    {
        try (Stream<Path> files = Files.list(ROOT.resolve("docs")))
        {
            return files.filter(file -> file.toString().endsWith(".md")).map(Path::normalize).sorted().toList();
        }
    }

    /**
     * Relative link targets of a Markdown page, outside code blocks and code spans.
     */
    private static List<String> links(final Path page) throws IOException
    {
        final List<String> targets = new ArrayList<>();
        boolean inCodeBlock = false;
        for (final String line : Files.readAllLines(page))
        {
            if (line.stripLeading().startsWith("```"))
            {
                inCodeBlock = !inCodeBlock;
                continue;
            }
            if (inCodeBlock)
            {
                continue;
            }
            final Matcher link = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
            while (link.find())
            {
                final String target = link.group(1);
                if (!target.contains("://") && !target.startsWith("mailto:"))
                {
                    targets.add(target.startsWith("#") ? page.getFileName() + target : target);
                }
            }
        }
        return targets;
    }

    private static String fileOf(final String target)
    {
        final int hash = target.indexOf('#');
        return hash < 0 ? target : target.substring(0, hash);
    }

    /**
     * The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, a repeated
     * heading numbered from -1.
     */
    private static Set<String> anchors(final Path page)
    {
        final Set<String> anchors = new TreeSet<>();
        final Map<String, Integer> seen = new HashMap<>();
        boolean inCodeBlock = false;
        try
        {
            for (final String line : Files.readAllLines(page))
            {
                if (line.stripLeading().startsWith("```"))
                {
                    inCodeBlock = !inCodeBlock;
                    continue;
                }
                final Matcher heading = HEADING.matcher(line);
                if (!inCodeBlock && heading.matches())
                {
                    final String slug = heading.group(1).toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
                    final int times = seen.merge(slug, 1, Integer::sum);
                    anchors.add(1 == times ? slug : slug + "-" + (times - 1));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return anchors;
    }
}
