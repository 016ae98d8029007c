package io.mooring.platform.apple.internal;

import java.util.Locale;

/** Which OS family a device runs, from the ProductName (or Model) it reports, e.g. {@code iPhone15,2}, {@code Mac14,2}. */
final class AppleProducts {
    private AppleProducts() {
    }

    static OsFamily family(String product) {
        String p = product == null ? "" : product.toLowerCase(Locale.ROOT);
        if (p.startsWith("iphone") || p.startsWith("ipad") || p.startsWith("ipod")) {
            return OsFamily.IOS;
        }
        if (p.startsWith("appletv")) {
            return OsFamily.TVOS;
        }
        if (p.startsWith("realitydevice") || p.startsWith("vision")) {
            return OsFamily.VISIONOS;
        }
        if (p.startsWith("watch")) {
            return OsFamily.WATCHOS;
        }
        // Mac models report Mac14,2, MacBookPro18,1, iMac21,1, Macmini9,1, VirtualMac2,1
        return OsFamily.MACOS;
    }
}
