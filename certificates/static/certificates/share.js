// Sharing a certificate's verify link: the phone's own share sheet (Zalo, Messenger…) where
// the browser has one, and a copy button everywhere. No third-party script is loaded.
(function () {
  document.querySelectorAll(".share").forEach(function (box) {
    var url = box.dataset.shareUrl;
    var title = box.dataset.shareTitle;
    var native = box.querySelector(".share-native");
    if (native && navigator.share) {
      native.hidden = false;
      native.addEventListener("click", function () {
        navigator.share({ title: title, url: url }).catch(function () {});
      });
    }
    var copy = box.querySelector(".share-copy");
    var field = box.querySelector(".share-link");
    if (copy) {
      copy.addEventListener("click", function () {
        var done = function () { copy.textContent = copy.dataset.done; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(url).then(done, function () { field.select(); });
        } else {
          field.select();
          document.execCommand("copy");
          done();
        }
      });
    }
  });
})();
