; Inno Setup 6 script: per-user installer for Teller, built from the PyInstaller onedir.
;   pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller packaging\teller.spec
;   iscc /DAppVersion=0.1.0 packaging\windows\teller.iss
; -> dist\teller-setup-<version>-win64.exe
; Per-user: no admin rights, installs to %LOCALAPPDATA%\Programs\Teller, Start menu shortcut,
; uninstaller (Settings > Apps). Installer languages: Ukrainian and English.
; NOT built or run on the development machine (no Windows there): CI builds it on windows-latest.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Teller"
#define AppExe "teller.exe"
#define Root "..\.."

[Setup]
; A fixed AppId keeps upgrades and the uninstaller entry stable: never change it.
AppId={{6B7E2C1D-4F1A-4C7B-9E3D-2A5F8C0D1E47}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Prozora
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#Root}\dist
OutputBaseFilename=teller-setup-{#AppVersion}-win64
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#AppExe}
; resources\icons\teller.ico comes from packaging/build_icons.py (SVG source)
SetupIconFile={#Root}\resources\icons\teller.ico
UninstallDisplayName={#AppName}
CloseApplications=yes
; SignTool=... (code signing: configure on the release runner; see packaging/README.md)

[Languages]
Name: "uk"; MessagesFile: "compiler:Languages\Ukrainian.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
uk.LaunchApp=Запустити Teller
en.LaunchApp=Launch Teller
uk.DesktopIcon=Створити ярлик на робочому столі
en.DesktopIcon=Create a desktop shortcut

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; Flags: unchecked

[Files]
Source: "{#Root}\dist\teller\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade replaces the bundle completely (stale modules from an older version must go).
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchApp}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only the program folder. User data (profiles, the encrypted cache, logs in %APPDATA% /
; %LOCALAPPDATA%\Prozora\Teller) and keyring entries are left for the bank's IT to remove.
Type: filesandordirs; Name: "{app}"
