/** The media type of a package, kept from the W3C MiniApp Packaging draft [PKG-011]. */
export const PACKAGE_MEDIA_TYPE = 'application/miniapp-pkg+zip';
/** The file extension of a package [PKG-012]. */
export const PACKAGE_EXTENSION = '.ma';
