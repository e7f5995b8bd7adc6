"""What the frozen bundle leaves out (packaging/teller.spec), in a module of its own so that
tests/packaging/test_bundle_excludes.py can check that no module the app imports is dropped
(a dropped QtPrintSupport once broke the bundle's smoke test at the main window)."""

QT_UNUSED = [
    "PySide6." + m
    for m in (
        "QtNetwork", "QtQml", "QtQuick", "QtQuickWidgets", "QtQuickControls2", "QtSql",
        "QtSvg", "QtSvgWidgets", "QtDBus", "QtOpenGL", "QtOpenGLWidgets",
        "QtTest", "QtConcurrent", "QtXml", "QtHelp", "QtUiTools", "QtDesigner",
        "QtMultimedia", "QtMultimediaWidgets", "QtPdf", "QtPdfWidgets", "QtCharts",
        "QtDataVisualization", "QtGraphs", "QtWebEngineCore", "QtWebEngineWidgets",
        "QtWebChannel", "QtWebSockets", "QtPositioning", "QtLocation", "QtBluetooth", "QtNfc",
        "QtSerialPort", "QtSerialBus", "QtSensors", "QtRemoteObjects", "QtScxml",
        "QtStateMachine", "QtTextToSpeech", "QtSpatialAudio", "QtHttpServer", "QtNetworkAuth",
        "Qt3DCore", "Qt3DRender", "Qt3DInput", "Qt3DLogic", "Qt3DAnimation", "Qt3DExtras",
        "QtQuick3D", "QtAxContainer",
    )
]
EXCLUDES = [
    *QT_UNUSED,
    "tkinter", "gi", "PyQt5", "PyQt6", "PySide2", "IPython", "matplotlib", "numpy",
    "pytest", "pytestqt", "_pytest", "mypy", "ruff", "setuptools", "pip",
    "keyrings.alt", "readline",
    # test and dev tooling that optional imports would drag in
    "hypothesis", "_hypothesis_ftz_detector", "schemathesis", "hypothesis_graphql",
    "sqlalchemy.testing", "alembic.testing", "pygments", "rich", "mako.ext.pygmentplugin",
    "doctest", "pydoc_data", "lib2to3", "ory_client", "PyInstaller",
    # CJK codecs (the app speaks UTF-8 only)
    "_codecs_jp", "_codecs_kr", "_codecs_cn", "_codecs_hk", "_codecs_tw", "_codecs_iso2022",
    # the embedded hub uses SQLite; a bank's PostgreSQL hub runs from the wheel, not the desk
    "asyncpg",
    # phonenumbers: geocoder/carrier/time-zone data (the app parses and validates only)
    "phonenumbers.geodata", "phonenumbers.carrierdata", "phonenumbers.tzdata",
    "phonenumbers.geocoder", "phonenumbers.carrier", "phonenumbers.timezone",
]
# psutil stays: the app's "ready in N ms" counts from the process's creation time with it

# Host libraries taken from the system, not bundled (Linux). The first group is what Qt needs
# on any machine anyway (the Debian list in packaging/README.md: libgl1 libegl1
# libglib2.0-0 libx11-6 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3); a bundled,
# older copy next to the host's newer Mesa/fontconfig is a known source of crashes. CUPS is
# the host's printing stack (its client library follows the host's print server; without it
# Qt still prints to PDF). Whatever only these pulled in (systemd, gcrypt, gnutls, krb5,
# avahi...) is then pruned as unreferenced.
HOST_LIBS = (
    "libglib-2.0.so", "libgthread-2.0.so", "libX11.so", "libX11-xcb.so", "libxkbcommon.so",
    "libfontconfig.so", "libfreetype.so", "libdbus-1.so", "libcups.so",
    # the xcb plugin's usual host libraries (bootstrap.sh `gui_libs`, QT-TESTING's list)
    "libxcb", "libxkbcommon-x11.so",
    # C++ runtime: the host's Mesa drivers need the host's (newer) one, and a bundled older
    # copy loaded first breaks them; the bundle is built on the oldest supported distribution
    "libstdc++.so", "libgcc_s.so",
)

# Data files left out: the app only validates IBANs (schwifty's IBAN registry, not its
# per-country bank lists but Ukraine's) and looks up countries (pycountry's ISO 3166-1 and
# currencies, not the 0.9 MB of languages or 0.5 MB of subdivisions).
UNUSED_DATA = (
    "/schwifty/bank_registry/",  # but *_ua.json, see KEEP_DATA
    "/pycountry/databases/iso639-3", "/pycountry/databases/iso3166-2",
    "/pycountry/locales/",  # translated country names: the app never shows them
    "/imageformats/libqjpeg", "/imageformats/libqgif", "/imageformats/libqicns",  # PNG/ICO/SVG
)
KEEP_DATA = ("_ua.json",)
