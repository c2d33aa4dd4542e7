"""The demo's courses: real, useful Vietnamese lessons that a learner can finish in an hour.

Each course is (slug, fields, competence codes, target group codes, mandated organisation codes,
lessons); each lesson is (slug, title, minutes, competence codes, body). A body is a list of
raw StreamField blocks of ``courses.blocks.LESSON_BLOCKS``.
"""


def p(html: str) -> dict:
    return {"type": "paragraph", "value": html}


def tip(html: str) -> dict:
    return {"type": "callout", "value": {"kind": "tip", "text": html}}


def warning(html: str) -> dict:
    return {"type": "callout", "value": {"kind": "warning", "text": html}}


KY_NANG_SO_CO_BAN = [
    (
        "bai-1-dinh-danh-dien-tu-vneid",
        "Định danh điện tử và ứng dụng VNeID",
        15,
        ["2.6", "2.3"],
        [
            p(
                "<p>Tài khoản định danh điện tử do Bộ Công an cấp giúp bạn chứng minh "
                "“tôi là tôi” khi làm việc trên mạng, giống như thẻ căn cước khi làm việc "
                "trực tiếp. Bạn dùng tài khoản này qua ứng dụng <b>VNeID</b> trên điện thoại.</p>"
                "<h2>Hai mức tài khoản</h2>"
                "<ul><li><b>Mức 1</b>: tự đăng ký trên ứng dụng VNeID; dùng được một số tiện ích "
                "cơ bản.</li>"
                "<li><b>Mức 2</b>: được cấp tại cơ quan công an (thường là công an xã, phường nơi "
                "bạn ở), có xác thực khuôn mặt. Tài khoản mức 2 có giá trị như xuất trình thẻ căn "
                "cước và các giấy tờ đã tích hợp, dùng được cho hầu hết dịch vụ công trực "
                "tuyến.</li></ul>"
                "<h2>Kích hoạt tài khoản</h2>"
                "<ol><li>Tải ứng dụng VNeID từ App Store hoặc Google Play. Không cài ứng dụng "
                "từ đường link người lạ gửi.</li>"
                "<li>Chọn kích hoạt tài khoản, nhập số định danh cá nhân (12 số trên thẻ căn "
                "cước) và số điện thoại chính chủ.</li>"
                "<li>Nhập mã OTP được gửi về điện thoại, đặt mật khẩu và mã bảo vệ (passcode) "
                "theo hướng dẫn trên màn hình.</li>"
                "<li>Với tài khoản mức 2, làm tiếp bước xác thực khuôn mặt theo hướng dẫn.</li>"
                "</ol>"
                "<h2>Những việc làm được với VNeID</h2>"
                "<ul><li>Xuất trình thẻ căn cước điện tử và các giấy tờ đã tích hợp như giấy "
                "phép lái xe, thẻ bảo hiểm y tế, ở những nơi chấp nhận.</li>"
                "<li>Đăng nhập Cổng Dịch vụ công quốc gia và nhiều dịch vụ công khác.</li>"
                "<li>Thông báo lưu trú, gửi tin báo, tố giác tội phạm tới cơ quan công an.</li>"
                "</ul>"
            ),
            warning(
                "<p>Công an không bao giờ gọi điện yêu cầu bạn cài ứng dụng lạ hay đọc mật "
                "khẩu, mã OTP, mã bảo vệ VNeID. Ai hỏi những thông tin này là kẻ lừa đảo.</p>"
            ),
            tip(
                "<p>Ghi nhớ mật khẩu và mã bảo vệ; không ghi chúng vào ghi chú trên điện thoại. "
                "Khi quên, bạn đặt lại được trên ứng dụng bằng số điện thoại đã đăng ký.</p>"
            ),
        ],
    ),
    (
        "bai-2-dich-vu-cong-truc-tuyen",
        "Làm thủ tục hành chính trên Cổng Dịch vụ công",
        20,
        ["2.3", "1.1"],
        [
            p(
                "<p>Nhiều thủ tục hành chính nay làm được trên mạng: nộp hồ sơ, nộp phí, theo "
                "dõi tiến độ và nhận kết quả mà không phải đến cơ quan nhiều lần. Cổng Dịch vụ "
                "công quốc gia có địa chỉ <b>dichvucong.gov.vn</b>; tỉnh Nghệ An có hệ thống "
                "giải quyết thủ tục hành chính của tỉnh, kết nối với Cổng quốc gia.</p>"
                "<h2>Các bước nộp hồ sơ</h2>"
                "<ol><li>Đăng nhập bằng tài khoản định danh điện tử VNeID (mức 2).</li>"
                "<li>Tìm thủ tục theo tên, ví dụ “đăng ký khai sinh” hoặc “cấp phiếu lý lịch "
                "tư pháp”.</li>"
                "<li>Chọn cơ quan giải quyết và điền tờ khai. Nhiều thông tin được điền sẵn từ "
                "Cơ sở dữ liệu quốc gia về dân cư; bạn chỉ cần kiểm tra lại.</li>"
                "<li>Đính kèm giấy tờ: chụp rõ nét, đủ bốn góc, hoặc chọn giấy tờ đã có trong "
                "kho dữ liệu của bạn.</li>"
                "<li>Nộp phí, lệ phí trực tuyến nếu thủ tục có thu phí, và ghi lại mã hồ "
                "sơ.</li>"
                "<li>Theo dõi trạng thái hồ sơ trong tài khoản; nhận kết quả bản điện tử hoặc "
                "qua bưu chính.</li></ol>"
            ),
            tip(
                "<p>Chỉ nhập thông tin trên trang có địa chỉ kết thúc bằng <b>.gov.vn</b>. "
                "Trang giả mạo thường có địa chỉ gần giống, thêm chữ hoặc dấu gạch.</p>"
            ),
            p(
                "<h2>Khi gặp khó khăn</h2>"
                "<p>Bộ phận một cửa của xã, phường sẽ hướng dẫn bạn từng bước. Tổ công nghệ số "
                "cộng đồng ở thôn, khối, xóm cũng có thể giúp bạn cài đặt và nộp hồ sơ lần "
                "đầu.</p>"
            ),
        ],
    ),
    (
        "bai-3-phong-chong-lua-dao",
        "Nhận biết và phòng chống lừa đảo trên mạng",
        20,
        ["4.1", "4.2"],
        [
            p(
                "<p>Kẻ lừa đảo đánh vào nỗi sợ, lòng tham hoặc sự vội vàng. Nhận ra các dấu hiệu "
                "dưới đây giúp bạn và người thân giữ an toàn.</p>"
                "<h2>Các thủ đoạn thường gặp</h2>"
                "<ul><li><b>Giả danh cơ quan nhà nước</b> (công an, viện kiểm sát, thuế, điện "
                "lực): báo bạn liên quan đến vụ án hoặc đang nợ tiền, rồi yêu cầu chuyển tiền "
                "“để xác minh” hoặc cài một ứng dụng.</li>"
                "<li><b>Giả mạo người thân, bạn bè</b> bằng tài khoản Zalo, Facebook bị chiếm, "
                "có khi kèm video, giọng nói giả bằng trí tuệ nhân tạo, nhờ chuyển tiền "
                "gấp.</li>"
                "<li><b>Tin nhắn, đường link giả</b> của ngân hàng, đơn vị giao hàng, chương "
                "trình trúng thưởng, “cập nhật tài khoản”.</li>"
                "<li><b>Việc nhẹ lương cao, làm nhiệm vụ</b> hay đầu tư lãi cao bất thường: "
                "lúc đầu trả thưởng nhỏ, sau đó đòi nạp tiền lớn.</li>"
                "<li><b>Ứng dụng lạ</b> gửi qua đường link (tệp .apk) để “hỗ trợ”: cài vào là "
                "kẻ gian điều khiển được điện thoại của bạn.</li></ul>"
                "<h2>Năm quy tắc tự bảo vệ</h2>"
                "<ol><li>Không đọc, không gửi mã OTP, mật khẩu, mã bảo vệ cho bất kỳ ai.</li>"
                "<li>Không bấm đường link lạ; không cài ứng dụng ngoài kho ứng dụng chính "
                "thức.</li>"
                "<li>Khi được nhờ chuyển tiền, gọi lại trực tiếp cho người đó bằng số bạn vẫn "
                "dùng.</li>"
                "<li>Bật xác thực hai lớp cho Zalo, Facebook và email.</li>"
                "<li>Cập nhật hệ điều hành và ứng dụng thường xuyên.</li></ol>"
            ),
            warning(
                "<p>Cơ quan công an, tòa án không làm việc qua điện thoại và không bao giờ yêu "
                "cầu chuyển tiền vào tài khoản để “xác minh”.</p>"
            ),
            p(
                "<h2>Nếu đã lỡ bị lừa</h2>"
                "<p>Gọi ngay tổng đài ngân hàng để khóa tài khoản và thẻ; đổi mật khẩu các tài "
                "khoản liên quan; trình báo cơ quan công an gần nhất hoặc gọi <b>113</b>. Giữ "
                "lại tin nhắn, số điện thoại, số tài khoản của kẻ gian làm bằng chứng.</p>"
            ),
        ],
    ),
    (
        "bai-4-thanh-toan-so-an-toan",
        "Thanh toán số an toàn",
        15,
        ["4.2", "2.1"],
        [
            p(
                "<p>Chuyển khoản, quét mã QR và ví điện tử giúp bạn trả tiền điện, nước, học "
                "phí hay mua hàng mà không cần tiền mặt.</p>"
                "<h2>Thanh toán bằng mã QR</h2>"
                "<ol><li>Mở ứng dụng ngân hàng và chọn quét mã QR.</li>"
                "<li>Kiểm tra <b>tên người nhận</b> và số tiền trên màn hình trước khi xác "
                "nhận.</li>"
                "<li>Xác thực giao dịch bằng mã PIN, vân tay, khuôn mặt hoặc OTP.</li>"
                "<li>Lưu lại biên lai điện tử.</li></ol>"
                "<h2>Xác thực sinh trắc học</h2>"
                "<p>Theo quy định của Ngân hàng Nhà nước áp dụng từ ngày 1/7/2024, giao dịch "
                "chuyển tiền trực tuyến trên 10 triệu đồng một lần, hoặc tổng trên 20 triệu "
                "đồng trong ngày, phải xác thực bằng khuôn mặt khớp với dữ liệu căn cước. Nhờ "
                "vậy, kẻ gian khó rút tiền dù biết mật khẩu của bạn.</p>"
                "<h2>Giữ an toàn</h2>"
                "<ul><li>Chỉ tải ứng dụng ngân hàng từ App Store hoặc Google Play.</li>"
                "<li>Đặt mã PIN khó đoán, không dùng ngày sinh.</li>"
                "<li>Đăng ký nhận thông báo biến động số dư.</li>"
                "<li>Khi mất điện thoại, gọi ngay ngân hàng để tạm khóa dịch vụ.</li></ul>"
            ),
            tip(
                "<p>Ngân hàng không gửi đường link qua tin nhắn để yêu cầu bạn đăng nhập hay "
                "cập nhật thông tin.</p>"
            ),
        ],
    ),
]

NGHI_QUYET_57 = [
    (
        "bai-1-boi-canh-va-y-nghia",
        "Bối cảnh và ý nghĩa của Nghị quyết 57-NQ/TW",
        15,
        [],
        [
            p(
                "<p>Ngày 22/12/2024, Bộ Chính trị ban hành Nghị quyết số 57-NQ/TW về đột phá "
                "phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia. "
                "Nghị quyết xác định đây là <b>đột phá quan trọng hàng đầu</b>, là động lực "
                "chính để phát triển nhanh lực lượng sản xuất hiện đại, hoàn thiện quan hệ sản "
                "xuất, đổi mới phương thức quản trị quốc gia, phát triển kinh tế - xã hội, ngăn "
                "chặn nguy cơ tụt hậu, đưa đất nước phát triển bứt phá, giàu mạnh trong kỷ "
                "nguyên mới.</p>"
                "<h2>Vì sao cần đột phá?</h2>"
                "<p>Nghị quyết đánh giá khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số "
                "đã có bước tiến nhưng còn chậm so với yêu cầu: thể chế còn vướng mắc, đầu tư "
                "cho nghiên cứu còn thấp, hạ tầng và nhân lực chất lượng cao còn thiếu, chuyển "
                "đổi số ở nhiều nơi còn hình thức.</p>"
                "<h2>Tinh thần chung</h2>"
                "<ul><li>Quyết tâm chính trị cao; người đứng đầu trực tiếp lãnh đạo, chỉ "
                "đạo.</li>"
                "<li>Người dân và doanh nghiệp là trung tâm, là chủ thể.</li>"
                "<li>Thể chế được hoàn thiện để trở thành lợi thế cạnh tranh; chấp nhận rủi "
                "ro và độ trễ trong nghiên cứu, đổi mới sáng tạo.</li></ul>"
            ),
            tip(
                "<p>Phong trào “Bình dân học vụ số” đưa tinh thần này đến từng người: mỗi "
                "người dân, mỗi cán bộ đều có kỹ năng số để tham gia và hưởng lợi từ chuyển "
                "đổi số.</p>"
            ),
        ],
    ),
    (
        "bai-2-muc-tieu-2030-tam-nhin-2045",
        "Mục tiêu đến năm 2030 và tầm nhìn đến năm 2045",
        15,
        [],
        [
            p(
                "<h2>Một số mục tiêu đến năm 2030</h2>"
                "<ul><li>Việt Nam thuộc nhóm 3 nước dẫn đầu Đông Nam Á và nhóm 50 nước đứng đầu "
                "thế giới về năng lực cạnh tranh số và chỉ số phát triển Chính phủ điện "
                "tử.</li>"
                "<li>Quy mô kinh tế số đạt tối thiểu 30% GDP.</li>"
                "<li>Tỷ lệ người dân và doanh nghiệp sử dụng dịch vụ công trực tuyến đạt trên "
                "80%.</li>"
                "<li>Chi cho nghiên cứu phát triển đạt 2% GDP, trong đó kinh phí từ xã hội "
                "chiếm hơn 60%; bố trí ít nhất 3% tổng chi ngân sách hằng năm cho khoa học, "
                "công nghệ, đổi mới sáng tạo và chuyển đổi số.</li>"
                "<li>Tỷ lệ doanh nghiệp có hoạt động đổi mới sáng tạo đạt trên 40%.</li>"
                "<li>Nhân lực nghiên cứu phát triển đạt 12 người trên một vạn dân.</li></ul>"
                "<h2>Tầm nhìn đến năm 2045</h2>"
                "<p>Khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số phát triển vững "
                "chắc, góp phần đưa Việt Nam trở thành nước phát triển, thu nhập cao; quy mô "
                "kinh tế số đạt tối thiểu 50% GDP.</p>"
            ),
            tip(
                "<p>Bài học tóm tắt để dễ nhớ. Khi cần trích dẫn, hãy dùng nguyên văn Nghị "
                "quyết 57-NQ/TW.</p>"
            ),
        ],
    ),
    (
        "bai-3-nhiem-vu-giai-phap",
        "Bảy nhóm nhiệm vụ, giải pháp chủ yếu",
        20,
        [],
        [
            p(
                "<ol><li><b>Nâng cao nhận thức, đột phá về đổi mới tư duy</b>, có quyết tâm "
                "chính trị mạnh mẽ, lãnh đạo quyết liệt, tạo xung lực mới cho phát triển khoa "
                "học, công nghệ, đổi mới sáng tạo và chuyển đổi số.</li>"
                "<li><b>Khẩn trương, quyết liệt hoàn thiện thể chế</b>; xóa bỏ mọi tư tưởng, "
                "quan niệm, rào cản đang cản trở sự phát triển; đưa thể chế thành lợi thế "
                "cạnh tranh.</li>"
                "<li><b>Tăng cường đầu tư, hoàn thiện hạ tầng</b> cho khoa học, công nghệ, đổi "
                "mới sáng tạo và chuyển đổi số.</li>"
                "<li><b>Phát triển, trọng dụng nhân lực chất lượng cao, nhân tài</b>.</li>"
                "<li><b>Đẩy mạnh chuyển đổi số</b>, ứng dụng khoa học, công nghệ, đổi mới sáng "
                "tạo trong hoạt động của các cơ quan trong hệ thống chính trị; nâng cao hiệu "
                "quả quản trị quốc gia, hiệu lực quản lý nhà nước; bảo đảm quốc phòng, an "
                "ninh.</li>"
                "<li><b>Thúc đẩy mạnh mẽ hoạt động khoa học, công nghệ, đổi mới sáng tạo và "
                "chuyển đổi số trong doanh nghiệp</b>.</li>"
                "<li><b>Tăng cường hợp tác quốc tế</b> về khoa học, công nghệ, đổi mới sáng tạo "
                "và chuyển đổi số.</li></ol>"
            ),
            tip(
                "<p>Nhóm nhiệm vụ thứ năm nói trực tiếp về công việc của cơ quan nhà nước: xử "
                "lý hồ sơ trên môi trường số, dữ liệu dùng chung, dịch vụ công trực tuyến lấy "
                "người dân làm trung tâm.</p>"
            ),
        ],
    ),
    (
        "bai-4-viec-lam-cua-can-bo",
        "Cán bộ, công chức làm gì để thực hiện Nghị quyết?",
        15,
        [],
        [
            p(
                "<p>Nghị quyết chỉ đi vào cuộc sống khi mỗi người thay đổi cách làm việc hằng "
                "ngày. Một số việc cụ thể:</p>"
                "<ul><li>Tự học, nâng cao kỹ năng số; hoàn thành các khóa học được giao trên "
                "nền tảng này.</li>"
                "<li>Xử lý công việc trên môi trường số: văn bản điện tử, chữ ký số, hồ sơ công "
                "việc điện tử, họp trực tuyến.</li>"
                "<li>Hướng dẫn người dân dùng dịch vụ công trực tuyến; không yêu cầu nộp lại "
                "giấy tờ đã có trong cơ sở dữ liệu.</li>"
                "<li>Bảo vệ dữ liệu: không gửi tài liệu công việc qua ứng dụng cá nhân khi "
                "không được phép; không chia sẻ mật khẩu, chữ ký số.</li>"
                "<li>Đề xuất sáng kiến dùng công nghệ số để rút ngắn quy trình ở đơn vị "
                "mình.</li>"
                "<li>Vận động gia đình và người dân nơi cư trú cùng tham gia “Bình dân học vụ "
                "số”.</li></ul>"
            ),
            tip(
                "<p>Khi bạn hoàn thành khóa học, kết quả được ghi nhận trên nền tảng này, để cơ "
                "quan bạn theo dõi tiến độ học tập Nghị quyết của đơn vị.</p>"
            ),
        ],
    ),
]

COURSES = [
    (
        "ky-nang-so-co-ban",
        {
            "title": "Kỹ năng số cơ bản",
            "summary": (
                "Dùng điện thoại để làm thủ tục, thanh toán và tự bảo vệ mình trên mạng: "
                "VNeID, dịch vụ công trực tuyến, phòng chống lừa đảo, thanh toán số."
            ),
            "description": (
                "<p>Khóa học dành cho mọi người, không cần biết trước về công nghệ. Mỗi bài "
                "khoảng 15–20 phút, học trên điện thoại. Học xong, bạn tự làm được thủ tục "
                "hành chính trên mạng, thanh toán an toàn và nhận ra các chiêu lừa đảo "
                "thường gặp.</p>"
            ),
            "level": "basic",
            "enrolment": "open",
            "sequential": True,
        },
        ["2.3", "2.6", "4.1", "4.2"],
        ["cadre", "civil_servant", "public_employee", "worker", "citizen", "student"],
        [],
        KY_NANG_SO_CO_BAN,
    ),
    (
        "tim-hieu-nghi-quyet-57",
        {
            "title": "Tìm hiểu Nghị quyết 57-NQ/TW",
            "summary": (
                "Nghị quyết của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới "
                "sáng tạo và chuyển đổi số quốc gia: bối cảnh, mục tiêu, nhiệm vụ và việc mỗi "
                "cán bộ cần làm."
            ),
            "description": (
                "<p>Khóa học giúp cán bộ, công chức, viên chức nắm những nội dung cốt lõi của "
                "Nghị quyết 57-NQ/TW và những việc làm cụ thể ở cơ quan, đơn vị mình. Trong dữ "
                "liệu mẫu, khóa học được giao bắt buộc cho bốn sở.</p>"
            ),
            "level": "basic",
            "enrolment": "mandated",
            "sequential": True,
        },
        ["2.3", "5.2"],
        ["cadre", "civil_servant", "public_employee", "worker"],
        ["NA.SKHCN", "NA.SNV", "NA.SGDDT", "NA.STC"],
        NGHI_QUYET_57,
    ),
]
