/* SPDX-License-Identifier: MIT */
/* gpudiag report: the page, loaded in a real browser (headless Chromium,
 * Debian's package), shows each GPU's verdict and every finding, draws the
 * topology, fetches nothing, and shows markup planted in a bundle as text
 * without running it. */
#include <criterion/criterion.h>
#include <ftw.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "run-program.h"
#include "testbed-run.h"

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st; (void) flag; (void) ftw;
        return remove(path);
}

/* The DOM after the page loaded and any script on it ran (--dump-dom), in a
 * fresh profile; the flags keep Chromium from reaching any network. */
static char *browser_dom(const char *html_path) {
        char profile[] = "/tmp/gd-chromium-XXXXXX", url[4096], prof_arg[64];
        char *argv[] = { (char *) "timeout", (char *) "120", (char *) "chromium", (char *) "--headless",
                         (char *) "--no-sandbox", (char *) "--disable-gpu", (char *) "--disable-background-networking",
                         (char *) "--disable-component-update", (char *) "--disable-sync", (char *) "--no-first-run",
                         (char *) "--disable-extensions", (char *) "--virtual-time-budget=2000", prof_arg,
                         (char *) "--dump-dom", url, NULL };
        _cleanup_free_ char *err = NULL;
        char *dom = NULL;
        int status;

        require_tool("chromium", "chromium");
        cr_assert_not_null(mkdtemp(profile));
        snprintf(prof_arg, sizeof(prof_arg), "--user-data-dir=%s", profile);
        snprintf(url, sizeof(url), "file://%s", html_path);
        cr_assert_eq(run_program(argv, NULL, &dom, &err, &status), 0);
        nftw(profile, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "chromium failed (%d): %s", status, err);
        cr_assert_not_null(strstr(dom, "</html>"), "no DOM from chromium: %s", err);
        return dom;
}

/* gpudiag report [bundle] -o <tmp>.html; returns the page's path. */
static char *make_report(const char *bundle) {
        _cleanup_free_ char *err = NULL;
        char *path = strdup("/tmp/gd-report-XXXXXX.html");
        char *args[] = { (char *) "report", (char *) "-o", path, (char *) bundle, NULL };
        int fd = mkstemps(path, 5), rc;

        cr_assert(fd >= 0);
        close(fd);
        rc = run_gpudiag_args(args, NULL, &err);
        cr_assert_eq(rc, 0, "report %s: exit %d: %s", bundle ? bundle : "(this host)", rc, err);
        return path;
}

static size_t count(const char *haystack, const char *needle) {
        size_t n = 0;
        for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

static const char *scalar(struct fy_node *n, const char *path, char *buf, size_t size) {
        struct fy_node *v = fy_node_by_path(n, path, FY_NT, FYNWF_DONT_FOLLOW);
        size_t len = 0;
        const char *s = v && fy_node_is_scalar(v) ? fy_node_get_scalar(v, &len) : NULL;

        snprintf(buf, size, "%.*s", s ? (int) len : 0, s ? s : "");
        return buf;
}

/* What explain --format json says, read back from the rendered page. */
static void assert_page_shows_explain(const char *bundle, const char *dom) {
        char *args[] = { (char *) "explain", (char *) "--bundle", (char *) bundle, (char *) "--format",
                         (char *) "json", NULL };
        _cleanup_free_ char *json = NULL, *err = NULL;
        struct fy_document *doc;
        struct fy_node *it;
        void *iter = NULL;
        size_t n_gpus = 0;

        run_gpudiag_args(args, &json, &err);
        doc = fy_document_build_from_string(NULL, json, FY_NT);
        cr_assert_not_null(doc, "%s", err);
        while ((it = fy_node_sequence_iterate(fy_node_by_path(fy_document_root(doc), "/gpus", FY_NT,
                                                               FYNWF_DONT_FOLLOW), &iter))) {
                char a[32], v[32], want[256];
                const char *label;

                scalar(it, "address", a, sizeof(a));
                scalar(it, "verdict", v, sizeof(v));
                snprintf(want, sizeof(want), "<article class=\"gpu %s\" data-address=\"%s\" data-verdict=\"%s\">", v,
                         a, v);
                cr_assert_not_null(strstr(dom, want), "%s: no %s", bundle, want);
                label = streq(v, "ready") ? "READY" : streq(v, "not-ready") ? "NOT READY" : "UNKNOWN";
                snprintf(want, sizeof(want), "<span class=\"verdict\">%s</span><code>%s</code>", label, a);
                cr_assert_not_null(strstr(dom, want), "%s: verdict text %s missing", bundle, want);
                n_gpus++;
        }
        cr_assert_eq(count(dom, "<article class=\"gpu "), n_gpus, "%s", bundle);
        iter = NULL;
        while ((it = fy_node_sequence_iterate(fy_node_by_path(fy_document_root(doc), "/findings", FY_NT,
                                                               FYNWF_DONT_FOLLOW), &iter))) {
                char id[64], want[128];
                snprintf(want, sizeof(want), "data-finding=\"%s\"", scalar(it, "id", id, sizeof(id)));
                cr_assert_not_null(strstr(dom, want), "%s: finding %s not shown", bundle, id);
        }
        fy_document_destroy(doc);
}

Test(report, the_browser_shows_each_verdict_every_finding_and_every_device) {
        static const char *const names[] = {
                "synthetic-nvidia-tu102-isolated.yaml",     /* one READY, one NOT READY */
                "synthetic-amd-x570-navi10-shared.yaml",
        };

        for (size_t k = 0; k < ELEMENTSOF(names); k++) {
                _cleanup_free_ char *bundle = snapshot_path(names[k]), *page = make_report(bundle);
                _cleanup_free_ char *dom = browser_dom(page);
                _cleanup_bundle_ struct gd_bundle *b = NULL;
                char want[256];

                assert_page_shows_explain(bundle, dom);
                snprintf(want, sizeof(want), "<title>gpudiag report: %s</title>", names[k]);
                cr_assert_not_null(strstr(dom, want), "%s", names[k]);
                /* The picture: an SVG with one row per device of the bundle. */
                cr_assert_eq(gd_bundle_load(bundle, &b, NULL), 0);
                cr_assert_eq(count(dom, "<svg"), 1);
                for (const char *p = b->umockdev; (p = strstr(p, "E: PCI_SLOT_NAME=")); p++) {
                        snprintf(want, sizeof(want), "data-address=\"%.12s\"", p + strlen("E: PCI_SLOT_NAME="));
                        cr_assert_not_null(strstr(strstr(dom, "<svg"), want), "%s: %s not drawn", names[k], want);
                }
                unlink(page);
        }
}

Test(report, markup_planted_in_a_bundle_is_shown_as_text_and_never_runs) {
        _cleanup_free_ char *bundle = fixture_bundle_path("hostile-strings.yaml"), *page = make_report(bundle);
        _cleanup_free_ char *dom = browser_dom(page);

        /* Nothing ran: the title is ours and no element was added. */
        cr_assert_not_null(strstr(dom, "<title>gpudiag report: hostile-strings.yaml</title>"), "%s", dom);
        cr_assert_null(strstr(dom, "PWNED</title>"));
        cr_assert_null(strstr(dom, "id=\"pwned\""));
        /* No element came from the data: no script, no img anywhere. */
        cr_assert_null(strstr(dom, "<script"), "a script element in the DOM");
        cr_assert_null(strstr(dom, "<img"), "an img element in the DOM");
        /* ...and each planted string is on the page as text. */
        cr_assert_not_null(strstr(dom, "6.8.12&lt;script&gt;document.title='PWNED'&lt;/script&gt;"), "kernel");
        cr_assert_not_null(strstr(dom, "&lt;img src=x onerror=\"document.body.insertAdjacentHTML("), "DMI product");
        cr_assert_not_null(strstr(dom, "&lt;/pre&gt;&lt;script&gt;document.title='PWNED'&lt;/script&gt;"), "log line");
        cr_assert_not_null(strstr(dom, "x\"];pwned[label=\"&lt;img src=x onerror=\"document.title='PWNED'\"&gt;\\"),
                           "driver name");
        cr_assert_not_null(strstr(dom, "&lt;b&gt;&amp;amp;&lt;/b&gt;"), "command line");
        unlink(page);
}

/* The check above is only worth something if this browser run would show a
 * payload that got through: the same payload, unescaped, does run. */
Test(report, the_browser_run_would_catch_a_payload_that_got_through) {
        _cleanup_free_ char *page = write_temp(
                "<!DOCTYPE html><html><head><title>control</title></head><body>"
                "<p>6.8.12<script>document.title='PWNED'</script></p>"
                "<img src=x onerror=\"document.body.insertAdjacentHTML('beforeend','<p id=pwned>PWNED</p>')\">"
                "</body></html>\n", ".html");
        _cleanup_free_ char *dom = browser_dom(page);

        cr_assert_not_null(strstr(dom, "<title>PWNED</title>"), "%s", dom);
        cr_assert_not_null(strstr(dom, "id=\"pwned\""), "%s", dom);
        unlink(page);
}

Test(report, the_page_loads_nothing_from_outside) {
        _cleanup_free_ char *bundle = snapshot_path("synthetic-amd-x570-navi10-shared.yaml"), *page = make_report(bundle);
        _cleanup_free_ char *html = NULL;
        size_t len;

        cr_assert_eq(read_file_capped(page, 16u << 20, &html, &len), 0);
        /* Nothing to fetch: no source, link, stylesheet, url() or script,
         * and a policy that would block them anyway. */
        cr_assert_null(strstr(html, "src="));
        cr_assert_null(strstr(html, "href="));
        cr_assert_null(strstr(html, "url("));
        cr_assert_null(strstr(html, "<script"));
        cr_assert_null(strstr(html, "<link"));
        cr_assert_not_null(strstr(html, "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\""));
        unlink(page);
}

Test(report, without_a_bundle_the_page_is_about_this_host) {
        _cleanup_free_ char *page = make_report(NULL), *dom = browser_dom(page);

        cr_assert_not_null(strstr(dom, "<title>gpudiag report: this host</title>"), "%s", dom);
        cr_assert_not_null(strstr(dom, "this host, read live"));
        cr_assert_not_null(strstr(dom, "<section id=\"verdicts\">"));
        unlink(page);
}

Test(report, a_bad_bundle_leaves_no_page_behind) {
        _cleanup_free_ char *bundle = fixture_bundle_path("bad-truncated.yaml"), *err = NULL;
        char dir[] = "/tmp/gd-report-dir-XXXXXX", out[128];
        char *args[] = { (char *) "report", bundle, (char *) "-o", out, NULL };
        int rc;

        cr_assert_not_null(mkdtemp(dir));
        snprintf(out, sizeof(out), "%s/report.html", dir);
        rc = run_gpudiag_args(args, NULL, &err);
        cr_assert_eq(rc, 2, "exit %d: %s", rc, err);
        cr_assert_not_null(strstr(err, "bad-truncated.yaml"), "%s", err);
        /* The directory is empty again: no page, no temporary file. */
        cr_assert_eq(rmdir(dir), 0, "%s is not empty", dir);
}
