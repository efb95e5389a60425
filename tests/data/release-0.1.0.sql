-- A ledger written by topup-ledger 0.1.0 (schema 4) through its own commands, as 'sqlite3 ledger.db .dump'
-- prints it, with the two header marks that .dump leaves out restored at the end. It holds three cards,
-- a top-up with a receipt file and a two-line note, one read from a pasted message (its PIN masked), a
-- pending top-up settled by amend, an amended amount, a receipt added later, a voided record and an
-- imported row. The files in release-0.1.0/ are what that release printed for it (TZ=Asia/Shanghai).
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE card (
            id INTEGER PRIMARY KEY,
            label TEXT NOT NULL,
            label_key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('sim', 'smart')),
            number TEXT,
            region TEXT,
            currency TEXT NOT NULL,
            issuer TEXT,
            max_topup_minor INTEGER,
            max_balance_minor INTEGER,
            validity_days INTEGER,
            retired_at_utc TEXT,
            created_at_utc TEXT NOT NULL
        );
INSERT INTO card VALUES(1,'八达通','八达通','smart','123456783','HK','HKD',NULL,100000,NULL,365,NULL,'2026-11-25T12:20:33Z');
INSERT INTO card VALUES(2,'work-sim','work-sim','sim','+85291234567','HK','HKD',NULL,NULL,NULL,NULL,NULL,'2026-11-25T12:20:34Z');
INSERT INTO card VALUES(3,'校园卡','校园卡','smart',NULL,NULL,'CNY',NULL,NULL,NULL,NULL,NULL,'2026-11-25T12:20:35Z');
CREATE TABLE topup (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES card(id),
            amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
            paid_minor INTEGER,
            currency TEXT NOT NULL,
            channel TEXT NOT NULL,
            outcome TEXT NOT NULL,
            occurred_at_utc TEXT NOT NULL,
            ref TEXT,
            merchant TEXT,
            note TEXT,
            balance_after_minor INTEGER,
            valid_until TEXT,
            status TEXT NOT NULL,
            created_at_utc TEXT NOT NULL,
            version INTEGER NOT NULL
        );
INSERT INTO topup VALUES(1,1,12000,NULL,'HKD','wechat','credited','2025-03-14T10:42:00Z','WX42001234','7-Eleven',replace('第一行\nsecond line','\n',char(10)),12850,'2026-03-14','amended','2026-11-25T12:20:35Z',3);
INSERT INTO topup VALUES(2,2,10000,NULL,'HKD','app','credited','2025-03-14T10:42:00Z','RC2503141842077',NULL,NULL,12850,'2025-06-12','active','2026-11-25T12:20:36Z',1);
INSERT INTO topup VALUES(3,3,5000,4950,'CNY','alipay','credited','2025-04-01T04:00:00Z',NULL,NULL,NULL,NULL,NULL,'amended','2026-11-25T12:20:36Z',2);
INSERT INTO topup VALUES(4,3,2000,NULL,'CNY','other','credited','2025-04-02T01:00:00Z','DUP1',NULL,NULL,NULL,NULL,'void','2026-11-25T12:20:38Z',2);
INSERT INTO topup VALUES(5,3,3000,NULL,'CNY','kiosk','credited','2025-05-01T00:00:00Z','0012345','食堂','=SUM(A1)',NULL,NULL,'active','2025-05-01T00:00:00Z',1);
CREATE TABLE topup_version (
            seq INTEGER PRIMARY KEY,
            topup_id INTEGER NOT NULL REFERENCES topup(id),
            version INTEGER NOT NULL,
            action TEXT NOT NULL,
            reason TEXT,
            recorded_at_utc TEXT NOT NULL,
            content TEXT NOT NULL,
            prev_digest TEXT NOT NULL,
            digest TEXT NOT NULL UNIQUE,
            UNIQUE (topup_id, version)
        );
INSERT INTO topup_version VALUES(1,1,1,'log',NULL,'2026-11-25T12:20:35Z','{"amount_minor":10000,"balance_after_minor":12850,"card_id":1,"channel":"wechat","created_at_utc":"2026-11-25T12:20:35Z","currency":"HKD","id":1,"merchant":"7-Eleven","note":"第一行\nsecond line","occurred_at_utc":"2025-03-14T10:42:00Z","outcome":"credited","paid_minor":null,"receipts":[["040f3c45f3393dc4ccbab44f553eea593015c57a5ef72c1c314467c2eaae3bdb","slip.txt",12]],"ref":"WX42001234","status":"active","valid_until":"2026-03-14","version":1}','0000000000000000000000000000000000000000000000000000000000000000','53c5fd77a30501f336975cc66dcb351835104bcb778a40f68f9bf80d825467d0');
INSERT INTO topup_version VALUES(2,2,1,'log',NULL,'2026-11-25T12:20:36Z','{"amount_minor":10000,"balance_after_minor":12850,"card_id":2,"channel":"app","created_at_utc":"2026-11-25T12:20:36Z","currency":"HKD","id":2,"merchant":null,"note":null,"occurred_at_utc":"2025-03-14T10:42:00Z","outcome":"credited","paid_minor":null,"receipts":[["c4ec08c985d91ee65887553d18cfac1f8f3c4010269bc3587bf7245bf1c5cedb","message.txt",193]],"ref":"RC2503141842077","status":"active","valid_until":"2025-06-12","version":1}','53c5fd77a30501f336975cc66dcb351835104bcb778a40f68f9bf80d825467d0','12b7a13f9944bc088d1f11cf57de6481999d975dfa02d49cdf1e809d15816964');
INSERT INTO topup_version VALUES(3,3,1,'log',NULL,'2026-11-25T12:20:36Z','{"amount_minor":5000,"balance_after_minor":null,"card_id":3,"channel":"alipay","created_at_utc":"2026-11-25T12:20:36Z","currency":"CNY","id":3,"merchant":null,"note":null,"occurred_at_utc":"2025-04-01T04:00:00Z","outcome":"pending","paid_minor":4950,"receipts":[],"ref":null,"status":"active","valid_until":null,"version":1}','12b7a13f9944bc088d1f11cf57de6481999d975dfa02d49cdf1e809d15816964','3b76a9dff55085de9baba830478e8351f8bd12cb01c46d98f51f34c7ee881832');
INSERT INTO topup_version VALUES(4,3,2,'amend','arrived the next morning','2026-11-25T12:20:37Z','{"amount_minor":5000,"balance_after_minor":null,"card_id":3,"channel":"alipay","created_at_utc":"2026-11-25T12:20:36Z","currency":"CNY","id":3,"merchant":null,"note":null,"occurred_at_utc":"2025-04-01T04:00:00Z","outcome":"credited","paid_minor":4950,"receipts":[],"ref":null,"status":"amended","valid_until":null,"version":2}','3b76a9dff55085de9baba830478e8351f8bd12cb01c46d98f51f34c7ee881832','dab3fb822b818e84db55c81aa97fd569a95604f6626e1606acaf5125e8f9ed5a');
INSERT INTO topup_version VALUES(5,1,2,'amend','the receipt says 120','2026-11-25T12:20:37Z','{"amount_minor":12000,"balance_after_minor":12850,"card_id":1,"channel":"wechat","created_at_utc":"2026-11-25T12:20:35Z","currency":"HKD","id":1,"merchant":"7-Eleven","note":"第一行\nsecond line","occurred_at_utc":"2025-03-14T10:42:00Z","outcome":"credited","paid_minor":null,"receipts":[["040f3c45f3393dc4ccbab44f553eea593015c57a5ef72c1c314467c2eaae3bdb","slip.txt",12]],"ref":"WX42001234","status":"amended","valid_until":"2026-03-14","version":2}','dab3fb822b818e84db55c81aa97fd569a95604f6626e1606acaf5125e8f9ed5a','9db8d0010d3d5d1738dfa2dc2cf5bda1ae1f84518f17513efcd55e2899f6c78f');
INSERT INTO topup_version VALUES(6,1,3,'receipt','1 receipt file(s) added','2026-11-25T12:20:38Z','{"amount_minor":12000,"balance_after_minor":12850,"card_id":1,"channel":"wechat","created_at_utc":"2026-11-25T12:20:35Z","currency":"HKD","id":1,"merchant":"7-Eleven","note":"第一行\nsecond line","occurred_at_utc":"2025-03-14T10:42:00Z","outcome":"credited","paid_minor":null,"receipts":[["040f3c45f3393dc4ccbab44f553eea593015c57a5ef72c1c314467c2eaae3bdb","slip.txt",12],["e1c58e396f17a33c4d4be764b44df068d6d84ba7a442906884c886b80ac07363","photo.png",24]],"ref":"WX42001234","status":"amended","valid_until":"2026-03-14","version":3}','9db8d0010d3d5d1738dfa2dc2cf5bda1ae1f84518f17513efcd55e2899f6c78f','3fe01c09cefe82ed0df81c989fc9eed81a46a9af72cdf29b782512425b45e7ea');
INSERT INTO topup_version VALUES(7,4,1,'log',NULL,'2026-11-25T12:20:38Z','{"amount_minor":2000,"balance_after_minor":null,"card_id":3,"channel":"other","created_at_utc":"2026-11-25T12:20:38Z","currency":"CNY","id":4,"merchant":null,"note":null,"occurred_at_utc":"2025-04-02T01:00:00Z","outcome":"credited","paid_minor":null,"receipts":[],"ref":"DUP1","status":"active","valid_until":null,"version":1}','3fe01c09cefe82ed0df81c989fc9eed81a46a9af72cdf29b782512425b45e7ea','71149aeb975a285d56eefc7e80e28289094efebefc460bc0e89177c67a203d2e');
INSERT INTO topup_version VALUES(8,4,2,'void','logged twice','2026-11-25T12:20:39Z','{"amount_minor":2000,"balance_after_minor":null,"card_id":3,"channel":"other","created_at_utc":"2026-11-25T12:20:38Z","currency":"CNY","id":4,"merchant":null,"note":null,"occurred_at_utc":"2025-04-02T01:00:00Z","outcome":"credited","paid_minor":null,"receipts":[],"ref":"DUP1","status":"void","valid_until":null,"version":2}','71149aeb975a285d56eefc7e80e28289094efebefc460bc0e89177c67a203d2e','ac1fbde89c3ba2f4facf1379918784443584b43d422a3a4dfb9e0e461c419b5e');
INSERT INTO topup_version VALUES(9,5,1,'import',NULL,'2026-11-25T12:20:39Z','{"amount_minor":3000,"balance_after_minor":null,"card_id":3,"channel":"kiosk","created_at_utc":"2025-05-01T00:00:00Z","currency":"CNY","id":5,"merchant":"食堂","note":"=SUM(A1)","occurred_at_utc":"2025-05-01T00:00:00Z","outcome":"credited","paid_minor":null,"receipts":[],"ref":"0012345","status":"active","valid_until":null,"version":1}','ac1fbde89c3ba2f4facf1379918784443584b43d422a3a4dfb9e0e461c419b5e','fbc8ec0b2dfc17f96ca99dcb21843e85ca2fa19938d85c905c8385983ea7592e');
CREATE TABLE chain_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq INTEGER NOT NULL,
            digest TEXT NOT NULL
        );
INSERT INTO chain_head VALUES(1,9,'fbc8ec0b2dfc17f96ca99dcb21843e85ca2fa19938d85c905c8385983ea7592e');
CREATE TABLE blob (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            data BLOB NOT NULL
        );
INSERT INTO blob VALUES('040f3c45f3393dc4ccbab44f553eea593015c57a5ef72c1c314467c2eaae3bdb',12,X'72656365697074206f6e650a');
INSERT INTO blob VALUES('c4ec08c985d91ee65887553d18cfac1f8f3c4010269bc3587bf7245bf1c5cedb',193,X'53616d706c6554656c3a20596f757220707265706169642053494d20686173206265656e20726563686172676564207769746820484b243130302e3030207669612053616d706c6554656c20417070206f6e2031342f30332f323032352031383a34322e20526566206e6f2e205243323530333134313834323037372e2052656d61696e696e672076616c756520484b243132382e35302c2076616c696420756e74696c2031322f30362f323032352e20596f75722050494e3a202a2a2a2a2a2a');
INSERT INTO blob VALUES('e1c58e396f17a33c4d4be764b44df068d6d84ba7a442906884c886b80ac07363',24,X'89504e470d0a1a0a66616b6520696d616765206279746573');
CREATE TABLE receipt (
            id INTEGER PRIMARY KEY,
            topup_id INTEGER NOT NULL REFERENCES topup(id),
            sha256 TEXT NOT NULL REFERENCES blob(sha256),
            name TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            added_at_utc TEXT NOT NULL,
            UNIQUE (topup_id, sha256)
        );
INSERT INTO receipt VALUES(1,1,'040f3c45f3393dc4ccbab44f553eea593015c57a5ef72c1c314467c2eaae3bdb','slip.txt','text/plain',12,'2026-11-25T12:20:35Z');
INSERT INTO receipt VALUES(2,2,'c4ec08c985d91ee65887553d18cfac1f8f3c4010269bc3587bf7245bf1c5cedb','message.txt','text/plain',193,'2026-11-25T12:20:36Z');
INSERT INTO receipt VALUES(3,1,'e1c58e396f17a33c4d4be764b44df068d6d84ba7a442906884c886b80ac07363','photo.png','image/png',24,'2026-11-25T12:20:38Z');
PRAGMA writable_schema=ON;
INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','topup_fts','topup_fts',0,'CREATE VIRTUAL TABLE topup_fts USING fts5(body, content='''', tokenize=''trigram'')');
CREATE TABLE IF NOT EXISTS 'topup_fts_data'(id INTEGER PRIMARY KEY, block BLOB);
INSERT INTO topup_fts_data VALUES(1,X'0545');
INSERT INTO topup_fts_data VALUES(10,X'000000000104040004010101020101030101040101');
INSERT INTO topup_fts_data VALUES(137438953473,X'0000011404300a372d01020c020273650102190206e7acace4b8800102150103206c6901022001032d656c01020e0103303031010206020231320102070103313233010208010332303001020502023334010209010333340a01020a0103340a3701020b020232300102040103372d6501020d0103636f6e01021c010364206c01021f010365636f01021b02026c6501020f02026e0a010213020276650102110103696e6501022201036c65760102100202696e01022101056e0ae7acac0102140202642001021e01036f6e6401021d010373656301021a010376656e010212010377783401020201037834320102030107e4b880e8a18c0a0102170109e7acace4b880e8a18c0102160105e8a18c0a730102180408070b08080807080807080807080808080707070808070a0708080808080c0e');
INSERT INTO topup_fts_data VALUES(274877906945,X'0000007704303033310202060202373702020e01033134310202080202383402020a010332303702020d02023530020204010333313402020701033431380202090202323002020c01033530330202050103370a0a0202100202370a02020f010338343202020b01036332350202030103726332020202040807080708070808070808070808');
INSERT INTO topup_fts_data VALUES(412316860417,X'000000240430310a0a0402050103647570040202010370310a040204010375703104020304080808');
INSERT INTO topup_fts_data VALUES(549755813889,X'0000009604300a3d7305020c0206e9a39fe5a0820502090103286131050211010330303105020202023132050203010331323305020401033233340502050103333435050206010334350a0502070105350ae9a39f05020801033d737505020d010361312905021201036d2861050210010373756d05020e0103756d2805020f0105e5a0820a3d05020b0107e9a39fe5a0820a05020a04080b080807080808080a08080808080a');
CREATE TABLE IF NOT EXISTS 'topup_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
INSERT INTO topup_fts_idx VALUES(1,X'',2);
INSERT INTO topup_fts_idx VALUES(2,X'',2);
INSERT INTO topup_fts_idx VALUES(3,X'',2);
INSERT INTO topup_fts_idx VALUES(4,X'',2);
CREATE TABLE IF NOT EXISTS 'topup_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
INSERT INTO topup_fts_docsize VALUES(1,X'21');
INSERT INTO topup_fts_docsize VALUES(2,X'0f');
INSERT INTO topup_fts_docsize VALUES(3,X'00');
INSERT INTO topup_fts_docsize VALUES(4,X'04');
INSERT INTO topup_fts_docsize VALUES(5,X'11');
CREATE TABLE IF NOT EXISTS 'topup_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO topup_fts_config VALUES('version',4);
CREATE INDEX topup_card_time ON topup (card_id, occurred_at_utc);
CREATE INDEX topup_time ON topup (occurred_at_utc);
CREATE INDEX topup_ref ON topup (ref COLLATE NOCASE);
CREATE INDEX receipt_topup ON receipt (topup_id);
CREATE TRIGGER topup_fts_update AFTER UPDATE OF ref, merchant, note ON topup BEGIN
            INSERT INTO topup_fts (topup_fts, rowid, body) VALUES ('delete', old.id, coalesce(old.ref, '') || char(10) || coalesce(old.merchant, '') || char(10) || coalesce(old.note, ''));
            INSERT INTO topup_fts (rowid, body) VALUES (new.id, coalesce(new.ref, '') || char(10) || coalesce(new.merchant, '') || char(10) || coalesce(new.note, ''));
        END;
CREATE TRIGGER topup_fts_delete AFTER DELETE ON topup BEGIN
            INSERT INTO topup_fts (topup_fts, rowid, body) VALUES ('delete', old.id, coalesce(old.ref, '') || char(10) || coalesce(old.merchant, '') || char(10) || coalesce(old.note, ''));
        END;
CREATE TRIGGER topup_fts_insert AFTER INSERT ON topup BEGIN
        INSERT INTO topup_fts (rowid, body) VALUES (new.id, coalesce(new.ref, '') || char(10) || coalesce(new.merchant, '') || char(10) || coalesce(new.note, ''));
    END;
PRAGMA writable_schema=OFF;
COMMIT;
PRAGMA application_id = 1953460341;
PRAGMA user_version = 4;
