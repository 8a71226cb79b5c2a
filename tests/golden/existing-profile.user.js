// Thunderbird account written by mailsetup. Put it in the profile as
// user.js while Thunderbird is closed; after one start the account
// is in prefs.js and user.js should be removed (it would reset the
// account list at every start).

user_pref("mail.account.ms_account_zoe_example_org_2.identities", "ms_id_zoe_example_org_2");
user_pref("mail.account.ms_account_zoe_example_org_2.server", "ms_server_zoe_example_org_2");
user_pref("mail.server.ms_server_zoe_example_org_2.type", "imap");
user_pref("mail.server.ms_server_zoe_example_org_2.hostname", "imap.example.org");
user_pref("mail.server.ms_server_zoe_example_org_2.port", 993);
user_pref("mail.server.ms_server_zoe_example_org_2.socketType", 3);
user_pref("mail.server.ms_server_zoe_example_org_2.authMethod", 3);
user_pref("mail.server.ms_server_zoe_example_org_2.userName", "zoe@example.org");
user_pref("mail.server.ms_server_zoe_example_org_2.name", "zoe@example.org");
user_pref("mail.identity.ms_id_zoe_example_org_2.fullName", "Zoë Ångström");
user_pref("mail.identity.ms_id_zoe_example_org_2.useremail", "zoe@example.org");
user_pref("mail.identity.ms_id_zoe_example_org_2.valid", true);
user_pref("mail.identity.ms_id_zoe_example_org_2.smtpServer", "ms_smtp_zoe_example_org_2");
user_pref("mail.smtpserver.ms_smtp_zoe_example_org_2.type", "smtp");
user_pref("mail.smtpserver.ms_smtp_zoe_example_org_2.hostname", "smtp.example.org");
user_pref("mail.smtpserver.ms_smtp_zoe_example_org_2.port", 587);
user_pref("mail.smtpserver.ms_smtp_zoe_example_org_2.try_ssl", 2);
user_pref("mail.smtpserver.ms_smtp_zoe_example_org_2.authMethod", 3);
user_pref("mail.smtpserver.ms_smtp_zoe_example_org_2.username", "zoe@example.org");
user_pref("mail.smtpserver.ms_smtp_zoe_example_org_2.description", "zoe@example.org");

user_pref("mail.accountmanager.accounts", "account1,account2,ms_account_zoe_example_org_2");
user_pref("mail.smtpservers", "smtp1,ms_smtp_zoe_example_org_2");
