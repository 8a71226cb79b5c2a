// Thunderbird account written by mailsetup. Put it in the profile as
// user.js while Thunderbird is closed; after one start the account
// is in prefs.js and user.js should be removed (it would reset the
// account list at every start).

user_pref("mail.account.ms_account_zoe_example_org.identities", "ms_id_zoe_example_org");
user_pref("mail.account.ms_account_zoe_example_org.server", "ms_server_zoe_example_org");
user_pref("mail.server.ms_server_zoe_example_org.type", "imap");
user_pref("mail.server.ms_server_zoe_example_org.hostname", "imap.example.org");
user_pref("mail.server.ms_server_zoe_example_org.port", 993);
user_pref("mail.server.ms_server_zoe_example_org.socketType", 3);
user_pref("mail.server.ms_server_zoe_example_org.authMethod", 3);
user_pref("mail.server.ms_server_zoe_example_org.userName", "zoe@example.org");
user_pref("mail.server.ms_server_zoe_example_org.name", "zoe@example.org");
user_pref("mail.identity.ms_id_zoe_example_org.fullName", "Zoë Ångström");
user_pref("mail.identity.ms_id_zoe_example_org.useremail", "zoe@example.org");
user_pref("mail.identity.ms_id_zoe_example_org.valid", true);
user_pref("mail.identity.ms_id_zoe_example_org.smtpServer", "ms_smtp_zoe_example_org");
user_pref("mail.smtpserver.ms_smtp_zoe_example_org.type", "smtp");
user_pref("mail.smtpserver.ms_smtp_zoe_example_org.hostname", "smtp.example.org");
user_pref("mail.smtpserver.ms_smtp_zoe_example_org.port", 587);
user_pref("mail.smtpserver.ms_smtp_zoe_example_org.try_ssl", 2);
user_pref("mail.smtpserver.ms_smtp_zoe_example_org.authMethod", 3);
user_pref("mail.smtpserver.ms_smtp_zoe_example_org.username", "zoe@example.org");
user_pref("mail.smtpserver.ms_smtp_zoe_example_org.description", "zoe@example.org");

user_pref("mail.accountmanager.accounts", "ms_account_zoe_example_org");
user_pref("mail.smtpservers", "ms_smtp_zoe_example_org");
user_pref("mail.accountmanager.defaultaccount", "ms_account_zoe_example_org");
