; Inno Setup 6 (6.3 or later) script for DX Tracker: a per-user installation that needs no
; administrator rights. installer/build.py compiles it on Windows:
;   ISCC /DAppVersion=<dxtracker.__version__> /DSourceDir=<dist\DXTracker> /DOutputDir=<dist> dxtracker.iss
; The program goes to %LOCALAPPDATA%\Programs\DXTracker. The user's data (database, backups,
; settings, logs, caches) lives in %LOCALAPPDATA%\DXTracker, a different folder that this
; installer never touches: uninstalling leaves it in place. Never name it in [UninstallDelete].
; This file is UTF-8 with a byte-order mark (Japanese messages below).

#ifndef AppVersion
  #error Define AppVersion: ISCC /DAppVersion=x.y.z (installer/build.py passes dxtracker.__version__)
#endif
#ifndef SourceDir
  #define SourceDir "..\dist\DXTracker"
#endif
#ifndef OutputDir
  #define OutputDir "..\dist"
#endif
#define AppName "DX Tracker"
#define AppExe "dxtracker-gui.exe"

[Setup]
; AppId ties upgrades and the uninstaller to this program: never change it.
AppId={{5C0D9A4E-7B1F-4E52-9A7C-2F3D8E61B0A4}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
; Per user, no administrator rights, no offer to elevate (PrivilegesRequiredOverridesAllowed unset).
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\DXTracker
UsePreviousAppDir=yes
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=DXTracker-{#AppVersion}-setup
SetupIconFile=..\resources\icons\dxtracker.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; Japanese Windows gets the Japanese installer, others English; the dialog only when unsure.
ShowLanguageDialog=auto
LanguageDetectionMethod=uilanguage
; A running DX Tracker is closed (after asking) before its files are replaced or removed.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
japanese.DataKept=データベース、バックアップ、設定は次のフォルダーに残しています。%n%n%1%n%n不要になった場合は、このフォルダーを手動で削除してください。
english.DataKept=Your database, backups and settings have been kept in this folder:%n%n%1%n%nDelete the folder by hand if you no longer need them.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the libraries as a whole, so that no file of the previous version lingers.
Type: filesandordirs; Name: "{app}\_internal"
Type: filesandordirs; Name: "{app}\licenses"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] section: the uninstaller removes only the files it installed. The
; program never writes into its own folder, so nothing else is left there.

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and (not UninstallSilent()) then
    MsgBox(FmtMessage(CustomMessage('DataKept'), [ExpandConstant('{localappdata}\DXTracker')]),
      mbInformation, MB_OK);
end;
