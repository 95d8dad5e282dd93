/* SPDX-License-Identifier: MIT */
/* -s and -d of gpudiag groups, with lspci's syntax (pciutils lib/filter.c:
 * pci_filter_parse_slot(), pci_filter_parse_id()): fields left out, or
 * '*', match anything. */
#include <criterion/criterion.h>
#include <errno.h>

#include "model/pci-filter.h"

static const struct gd_pci_dev gpu = { .address = "0000:01:00.0", .bus = 1, .vendor = 0x10de, .device = 0x1e07,
                                       .class_code = 0x030000 };
static const struct gd_pci_dev audio = { .address = "0000:01:00.1", .bus = 1, .func = 1, .vendor = 0x10de,
                                         .device = 0x10f7, .class_code = 0x040300 };
static const struct gd_pci_dev nvme = { .address = "0001:02:00.0", .domain = 1, .bus = 2, .vendor = 0x1987,
                                        .device = 0x5016, .class_code = 0x010802 };

static struct gd_pci_filter parsed(const char *slot, const char *ids) {
        struct gd_pci_filter f;

        cr_assert_eq(gd_pci_filter_parse(slot, ids, &f), 0, "-s %s -d %s", slot, ids);
        return f;
}

Test(pci_filter, no_option_matches_every_device) {
        struct gd_pci_filter f = parsed(NULL, NULL);

        cr_expect_not(f.active);
        cr_expect(gd_pci_filter_match(&f, &gpu) && gd_pci_filter_match(&f, &nvme));
}

Test(pci_filter, slot_without_function_matches_every_function_of_the_card) {
        struct gd_pci_filter f = parsed("01:00", NULL);

        cr_expect(f.active);
        cr_expect(gd_pci_filter_match(&f, &gpu));
        cr_expect(gd_pci_filter_match(&f, &audio));
        cr_expect_not(gd_pci_filter_match(&f, &nvme));
}

Test(pci_filter, left_out_domain_matches_any_domain_and_a_given_one_only_itself) {
        struct gd_pci_filter any = parsed("02:00.0", NULL), zero = parsed("0000:02:00.0", NULL);

        cr_expect(gd_pci_filter_match(&any, &nvme));
        cr_expect_not(gd_pci_filter_match(&zero, &nvme));
}

Test(pci_filter, function_alone_and_bus_alone_as_lspci) {
        struct gd_pci_filter fn = parsed(".1", NULL), bus = parsed("1:", NULL);

        cr_expect(gd_pci_filter_match(&fn, &audio));
        cr_expect_not(gd_pci_filter_match(&fn, &gpu));
        cr_expect(gd_pci_filter_match(&bus, &gpu));
        cr_expect_not(gd_pci_filter_match(&bus, &nvme));
}

Test(pci_filter, ids_match_vendor_device_and_class) {
        struct gd_pci_filter vendor = parsed(NULL, "10de:"), device = parsed(NULL, ":10f7"),
                             cls = parsed(NULL, "*:*:0300"), both = parsed("01:00", "::0403");

        cr_expect(gd_pci_filter_match(&vendor, &audio));
        cr_expect_not(gd_pci_filter_match(&vendor, &nvme));
        cr_expect(gd_pci_filter_match(&device, &audio));
        cr_expect_not(gd_pci_filter_match(&device, &gpu));
        cr_expect(gd_pci_filter_match(&cls, &gpu));
        cr_expect_not(gd_pci_filter_match(&cls, &audio));
        cr_expect(gd_pci_filter_match(&both, &audio));
        cr_expect_not(gd_pci_filter_match(&both, &gpu));
}

Test(pci_filter, bad_slot_and_bad_ids_are_refused_with_distinct_errors) {
        struct gd_pci_filter f = { .active = true, .bus = 7 };

        cr_expect_eq(gd_pci_filter_parse("1:2:3:4", NULL, &f), -EINVAL);
        cr_expect_eq(gd_pci_filter_parse("01:20", NULL, &f), -EINVAL);   /* slot 0x20 > 0x1f */
        cr_expect_eq(gd_pci_filter_parse(NULL, "10de", &f), -EDOM);      /* no ':' */
        cr_expect_eq(gd_pci_filter_parse(NULL, "zz:1", &f), -EDOM);
        cr_expect_eq(f.bus, 7, "untouched on failure");
}
