<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!--
  Qt's own strings that the qtbase_uk.qm shipped with PySide6 lacks, so Qt's file dialog
  (Save as PDF / CSV) read partly English in the Ukrainian desk. Written by hand (lupdate never
  touches this file: packaging/build_translations.py only compiles it); loaded after qtbase_uk
  by teller_app/ui/i18n.py, so an entry here wins over Qt's own.
  Contexts and source texts are Qt's (Qt 6.11: src/widgets/dialogs/qfiledialog.ui,
  qfiledialog.cpp; src/gui/itemmodels/qabstractfileiconprovider.cpp), comments included.
-->
<TS version="2.1" language="uk_UA">
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>Те&amp;ка:</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>&amp;Тип файлів:</translation>
    </message>
    <message>
        <source>Show </source>
        <translation>Показати </translation>
    </message>
</context>
<context>
    <name>QAbstractFileIconProvider</name>
    <message>
        <source>Drive</source>
        <translation>Диск</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Файл</translation>
    </message>
    <message>
        <source>Folder</source>
        <comment>All other platforms</comment>
        <translation>Тека</translation>
    </message>
    <message>
        <source>File Folder</source>
        <comment>Match Windows Explorer</comment>
        <translation>Тека з файлами</translation>
    </message>
    <message>
        <source>Shortcut</source>
        <comment>All other platforms</comment>
        <translation>Ярлик</translation>
    </message>
    <message>
        <source>Alias</source>
        <comment>macOS Finder</comment>
        <translation>Псевдонім</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Невідомо</translation>
    </message>
</context>
</TS>
